// A dedicated PostgreSQL connection that LISTENs on one channel, so a source can sleep until the
// capture triggers signal a commit (pg_notify) instead of polling its table. It only ever wakes the
// reader: what is read, and in which order, is still decided by the reader's own query, so a lost or
// late notification costs latency (the reader's fallback poll), never a change.
import pg from 'pg';
import { redact } from '../../errors.js';
import { quoteIdent } from './sql.js';

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

export class NotifyListener {
  private client: pg.Client | null = null;
  /** a notification arrived since the last take() */
  private signalled = false;
  private wake: (() => void) | null = null;
  private closed = false;
  private retryAt = 0;

  constructor(private readonly url: string, private readonly channel: string, private readonly log: Log) {}

  /** Listening now (a lost connection is re-opened on the next wait, at most every 5 s). */
  get listening(): boolean {
    return this.client !== null;
  }

  async open(): Promise<void> {
    if (this.client || this.closed || Date.now() < this.retryAt) return;
    const client = new pg.Client({ connectionString: this.url, application_name: `schemactl-listen:${this.channel}`.slice(0, 63) });
    client.on('notification', (n) => {
      if (n.channel !== this.channel) return;
      this.signalled = true;
      this.wake?.();
    });
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.channel, 'postgres')}`);
    } catch (e) {
      this.retryAt = Date.now() + 5000;
      await client.end().catch(() => {});
      this.log({ level: 'warn', msg: 'cannot listen for change notifications; polling the change table instead', channel: this.channel, error: redact((e as Error).message) });
      return;
    }
    this.client = client;
    // whatever committed while nobody listened is found by the read that follows
    this.signalled = true;
  }

  private lost(client: pg.Client, e: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.retryAt = Date.now() + 5000;
    if (!this.closed) this.log({ level: 'warn', msg: 'change notification connection lost; polling until it is back', channel: this.channel, error: redact(e.message) });
    client.end().catch(() => {});
    this.wake?.();
  }

  /** Consume the pending signal: true when a notification arrived since the last call. */
  take(): boolean {
    const s = this.signalled;
    this.signalled = false;
    return s;
  }

  /** Resolve on the next notification (at once if one is pending), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.signalled || !this.client) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    this.wake?.();
    await c?.end().catch(() => {});
  }
}
