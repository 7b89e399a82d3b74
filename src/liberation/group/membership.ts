// Group membership through Kafka's group coordinator: the instances of one `--group` join a consumer
// group on a control topic. The broker decides who is alive (heartbeats within the session timeout)
// and runs the rebalance; the group's leader computes the assignment with assignStreams.
//
// Streams are assigned by name. Each member's subscription metadata carries its catalog (stream name
// → definition fingerprint), its start time and the streams it runs; the leader answers each member
// with partition numbers that index THAT member's own sorted catalog (the client library writes no
// user data into an assignment, so the partition list is the only channel back). A member therefore
// never runs a stream it does not have, and two members whose catalogs differ never read one number
// as two streams. The control topic holds no records; it has as many partitions as the largest
// catalog so that every index is a real partition. (`kafka-consumer-groups --describe` shows these
// member-relative numbers; the `group assignment` log line and /metrics name the streams.)
//
// A member alone in the group is given every partition by the client without asking the assigner; it
// reads that as "all of my catalog", which is what the assigner would have given it.
//
// The client (@platformatic/kafka 1.35) speaks the classic, eager protocol and rejoins at once when
// the coordinator announces a rebalance; it has no revocation callback that could hold the rejoin
// until our loops stopped. Handover safety therefore does not rest on timing: a new owner fences the
// stream's transactional.id before it reads the checkpoint (see runner.ts), so an old owner that has
// not stopped yet can neither commit nor move the checkpoint.
import type { Consumer } from '@platformatic/kafka';
import { kafka } from '../kafka-client.js';
import { redact, UnreachableError } from '../../errors.js';
import { assignStreams, streamOrder, type MemberInfo } from './assign.js';

export interface GroupMembershipConfig {
  brokers: string[];
  group: string;
  /** this instance's catalog: stream name → definition fingerprint (definitionFingerprint) */
  streams: Record<string, string>;
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
  // v2: the metadata names streams (v1 numbered them by each member's catalog order)
  private readonly protocol = { name: 'schemactl-streams', version: 2, metadata: Buffer.from('{}') as Buffer };
  /** this member's catalog in its sorted order: partition i of its assignment is order[i] */
  private readonly order: string[];
  private readonly startedAt = Date.now();
  private owned: string[] = [];
  private joinedAt = 0;
  private lost = false;
  private watchdog: NodeJS.Timeout | undefined;
  private listener: ((owned: string[]) => void) | undefined;
  readonly topic: string;

  constructor(private readonly cfg: GroupMembershipConfig) {
    this.topic = controlTopicOf(cfg.group);
    this.order = streamOrder(Object.keys(cfg.streams));
    this.protocol.metadata = this.encodeMetadata([]);
  }

  private get session(): number {
    return this.cfg.sessionTimeoutMs ?? GROUP_DEFAULTS.sessionTimeoutMs;
  }

  /** The control topic with (at least) one partition per stream of this catalog. */
  private async ensureControlTopic(): Promise<void> {
    const admin = new kafka.Admin({ clientId: this.cfg.clientId ?? 'schemactl-group', bootstrapBrokers: this.cfg.brokers });
    const want = Math.max(1, this.order.length);
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
        // this catalog is larger than any before it: the partition numbers it may be given must exist
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
      this.update(parts.filter((i) => i < this.order.length).map((i) => this.order[i]!));
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
        partitionAssigner: (_current, members) => this.assign([...members.values()].map((m) => decodeMember(m.memberId, m.metadata))),
      });
    } catch (e) {
      throw new UnreachableError(`cannot join the publisher group ${this.cfg.group}: ${redact((e as Error).message)}`, e);
    }
    this.watchdog = setInterval(() => this.checkLease(), 250);
    this.watchdog.unref();
  }

  /** The leader's side of a rebalance: names to each member's own partition numbers. */
  private assign(members: MemberInfo[]) {
    const { owned, conflicts } = assignStreams(members);
    for (const c of conflicts) {
      this.cfg.onLog?.({
        level: 'warn', msg: 'stream definition differs between instances of the group: it runs only where the most recently started instance\'s definition is; the others stand by for it until their catalogs match',
        group: this.cfg.group, topic: c.stream, runsOn: c.runsOn, standingBy: c.standingBy,
      });
    }
    return members.map((m) => {
      const order = streamOrder(Object.keys(m.streams));
      const partitions = (owned.get(m.memberId) ?? []).map((s) => order.indexOf(s)).sort((a, b) => a - b);
      return { memberId: m.memberId, assignments: new Map([[this.topic, { topic: this.topic, partitions }]]) };
    });
  }

  private encodeMetadata(owned: string[]): Buffer {
    return Buffer.from(JSON.stringify({ startedAt: this.startedAt, streams: this.cfg.streams, owned }));
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
    this.update([]);
  }

  private update(owned: string[]): void {
    this.owned = owned;
    this.protocol.metadata = this.encodeMetadata(owned);
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

/** A member's subscription metadata; anything unreadable counts as an empty catalog (it is given nothing). */
export function decodeMember(memberId: string, meta: Buffer | string | undefined): MemberInfo {
  try {
    const v = JSON.parse(Buffer.isBuffer(meta) ? meta.toString('utf8') : String(meta ?? '{}')) as Partial<Record<keyof MemberInfo, unknown>>;
    const streams = v.streams && typeof v.streams === 'object' && !Array.isArray(v.streams)
      ? Object.fromEntries(Object.entries(v.streams as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : {};
    return {
      memberId, streams,
      startedAt: typeof v.startedAt === 'number' ? v.startedAt : 0,
      owned: Array.isArray(v.owned) ? v.owned.filter((x): x is string => typeof x === 'string') : [],
    };
  } catch {
    return { memberId, startedAt: 0, streams: {}, owned: [] };
  }
}
