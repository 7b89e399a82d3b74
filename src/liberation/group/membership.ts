// Group membership through Kafka's group coordinator: the instances of one `--group` join a consumer
// group on a control topic that has one partition per stream; the partitions a member is assigned
// are the streams it owns. The broker decides who is alive (heartbeats within the session timeout)
// and runs the rebalance; the group's leader computes the assignment with stickyAssign.
//
// The control topic holds no records: it exists so that the broker's ordinary consumer-group
// protocol (and its tooling: `kafka-consumer-groups --describe --group NAME` lists which instance
// owns which partition) can be used as is, without a coordinator of our own.
//
// The client (@platformatic/kafka 1.35) speaks the classic, eager protocol and rejoins at once when
// the coordinator announces a rebalance; it has no revocation callback that could hold the rejoin
// until our loops stopped. Handover safety therefore does not rest on timing: a new owner fences the
// stream's transactional.id before it reads the checkpoint (see runner.ts), so an old owner that has
// not stopped yet can neither commit nor move the checkpoint.
import type { Consumer } from '@platformatic/kafka';
import { kafka } from '../kafka-client.js';
import { redact, UnreachableError } from '../../errors.js';
import { stickyAssign } from './assign.js';

export interface GroupMembershipConfig {
  brokers: string[];
  group: string;
  /** the group's streams in their stable order (streamOrder): partition i is streams[i] */
  streams: string[];
  clientId?: string;
  /** this instance's name in logs, headers and the group's member list */
  instanceId: string;
  /** the broker declares a silent member dead after this long (kill -9: its streams move after it) */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  onLog?(e: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }): void;
}

export const GROUP_DEFAULTS = { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 } as const;

export function controlTopicOf(group: string): string {
  return `schemactl-group-${group}`;
}

export class GroupMembership {
  private consumer: Consumer | undefined;
  private readonly protocol = { name: 'schemactl-sticky', version: 1, metadata: Buffer.from('[]') };
  private owned: string[] = [];
  private joinedAt = 0;
  private lost = false;
  private watchdog: NodeJS.Timeout | undefined;
  private listener: ((owned: string[]) => void) | undefined;
  readonly topic: string;

  constructor(private readonly cfg: GroupMembershipConfig) {
    this.topic = controlTopicOf(cfg.group);
  }

  private get session(): number {
    return this.cfg.sessionTimeoutMs ?? GROUP_DEFAULTS.sessionTimeoutMs;
  }

  /** The control topic with (at least) one partition per stream. */
  private async ensureControlTopic(): Promise<void> {
    const admin = new kafka.Admin({ clientId: this.cfg.clientId ?? 'schemactl-group', bootstrapBrokers: this.cfg.brokers });
    const want = this.cfg.streams.length;
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        await admin.createTopics({ topics: [this.topic], partitions: want, replicas: -1, configs: [{ name: 'cleanup.policy', value: 'compact' }] }).catch(async (e: Error) => {
          // another instance created it at the same moment
          if (!(await admin.listTopics()).includes(this.topic)) throw e;
        });
      }
      const have = (await admin.metadata({ topics: [this.topic] })).topics.get(this.topic)?.partitionsCount ?? 0;
      if (have < want) {
        // a stream was added to the catalog: partitions are only ever added, so existing streams keep theirs
        await admin.createPartitions({ topics: [{ name: this.topic, count: want }] }).catch(() => {});
        this.cfg.onLog?.({ level: 'info', msg: 'group control topic grown', topic: this.topic, from: have, to: want });
      }
    } catch (e) {
      throw new UnreachableError(`cannot prepare the group control topic ${this.topic} on ${this.cfg.brokers.map(redact).join(',')}: ${redact((e as Error).message)}`, e);
    } finally {
      await admin.close().catch(() => {});
    }
  }

  /**
   * Join the group; `onChange` is called with the streams this instance owns after every rebalance, and
   * with [] when the lease is lost (no successful heartbeat for a session timeout: the coordinator has
   * surely given the streams to someone else by then, so the loops must stop without waiting for it).
   */
  async join(onChange: (owned: string[]) => void): Promise<void> {
    await this.ensureControlTopic();
    this.listener = onChange;
    const consumer = new kafka.Consumer({
      groupId: this.cfg.group,
      clientId: `${this.cfg.clientId ?? 'schemactl-group'}-${this.cfg.instanceId}`.slice(0, 200),
      bootstrapBrokers: this.cfg.brokers,
      sessionTimeout: this.session,
      heartbeatInterval: this.cfg.heartbeatIntervalMs ?? GROUP_DEFAULTS.heartbeatIntervalMs,
      rebalanceTimeout: this.session * 3,
    });
    this.consumer = consumer;
    consumer.on('consumer:group:join', (p) => {
      const parts = (p.assignments ?? []).filter((a) => a.topic === this.topic).flatMap((a) => a.partitions);
      this.joinedAt = Date.now();
      this.lost = false;
      this.update(parts.filter((i) => i < this.cfg.streams.length).map((i) => this.cfg.streams[i]!), parts);
      this.cfg.onLog?.({ level: 'info', msg: 'group assignment', group: this.cfg.group, instance: this.cfg.instanceId, generation: p.generationId, leader: p.isLeader ?? false, owned: this.owned });
    });
    consumer.on('consumer:group:rebalance', () => this.cfg.onLog?.({ level: 'info', msg: 'group rebalancing', group: this.cfg.group, instance: this.cfg.instanceId }));
    consumer.on('consumer:heartbeat:error', (p) => this.cfg.onLog?.({ level: 'warn', msg: 'group heartbeat failed', group: this.cfg.group, error: redact(p.error.message) }));
    // a failed rejoin is reported as an 'error' event; without a listener it would end the process
    consumer.on('error', (e: Error) => this.cfg.onLog?.({ level: 'warn', msg: 'group membership error', group: this.cfg.group, error: redact(e.message) }));
    consumer.topics.trackAll(this.topic);
    try {
      await consumer.joinGroup({
        sessionTimeout: this.session,
        heartbeatInterval: this.cfg.heartbeatIntervalMs ?? GROUP_DEFAULTS.heartbeatIntervalMs,
        rebalanceTimeout: this.session * 3,
        // the same object on every rejoin: its metadata is updated with what this member runs (stickiness)
        protocols: [this.protocol],
        partitionAssigner: (_current, members, _topics, metadata) => {
          const partitions = metadata.topics.get(this.topic)?.partitionsCount ?? this.cfg.streams.length;
          const claims = [...members.values()].map((m) => ({ memberId: m.memberId, owned: decodeOwned(m.metadata) }));
          return [...stickyAssign(partitions, claims)].map(([memberId, list]) => ({ memberId, assignments: new Map([[this.topic, { topic: this.topic, partitions: list }]]) }));
        },
      });
    } catch (e) {
      throw new UnreachableError(`cannot join the publisher group ${this.cfg.group}: ${redact((e as Error).message)}`, e);
    }
    this.watchdog = setInterval(() => this.checkLease(), 250);
    this.watchdog.unref();
  }

  /** the time the last heartbeat (or the join) was answered */
  private lastContact(): number {
    return Math.max(this.joinedAt, this.consumer?.lastHeartbeat?.getTime() ?? 0);
  }

  /** true while the coordinator has heard from this member within the session timeout, with a margin */
  leaseValid(): boolean {
    return !this.lost && this.consumer !== undefined && Date.now() - this.lastContact() < this.session - (this.cfg.heartbeatIntervalMs ?? GROUP_DEFAULTS.heartbeatIntervalMs);
  }

  private checkLease(): void {
    if (this.lost || this.owned.length === 0 || this.leaseValid()) return;
    this.lost = true;
    this.cfg.onLog?.({ level: 'warn', msg: 'group lease lost: stopping every owned stream', group: this.cfg.group, instance: this.cfg.instanceId, silentMs: Date.now() - this.lastContact() });
    this.update([], []);
  }

  private update(owned: string[], partitions: number[]): void {
    this.owned = owned;
    this.protocol.metadata = Buffer.from(JSON.stringify(partitions));
    this.listener?.(owned);
  }

  ownedStreams(): string[] {
    return [...this.owned];
  }

  /** Leave the group at once, so the others take the streams over without waiting for the session timeout. */
  async leave(): Promise<void> {
    clearInterval(this.watchdog);
    const c = this.consumer;
    this.consumer = undefined;
    if (!c) return;
    // the promise forms (no callback); the overloads' first signature types them as void
    await (c.leaveGroup(true) as unknown as Promise<void>).catch(() => {});
    await (c.close(true) as unknown as Promise<void>).catch(() => {});
  }
}

function decodeOwned(meta: Buffer | string | undefined): number[] {
  try {
    const v = JSON.parse(Buffer.isBuffer(meta) ? meta.toString('utf8') : String(meta ?? '[]')) as unknown;
    return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : [];
  } catch {
    return [];
  }
}
