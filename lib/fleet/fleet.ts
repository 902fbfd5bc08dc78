// This node's membership in the fleet: its lease, the phones it owns (with their fencing epochs),
// claiming phones whose owner is gone, self-fencing, draining, commands to the owner of a phone,
// and the live view of the other nodes' phones. The decisions are in policy.ts; the SQL in sql.ts;
// sessions know nothing of it (the manager is the host that starts and stops them).
import { reason } from '../sessions/reasons';
export { FLEET_OPS, OWNER_CHANGED, type FleetCommand, type FleetHost } from '../sessions/fleet-port';
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { CONFLICT_CODES, ConflictError, domainBrand, type ConflictCode, InvalidInputError, NotFoundError, UnavailableError } from '../errors';
import type { SessionEngineEvent, SessionSnapshot } from '../sessions/types';
import type { SessionStore } from '../sessions/store';
import { FLEET_OPS, OWNER_CHANGED, type FleetCommand, type FleetHost, type FleetMembership } from '../sessions/fleet-port';
import type { FleetBus } from './bus';
import { countDrop, packMessages } from './bus';
import { claimQuota, deadForClaims, observeLockless, type Lockless, mayRunForwarded, mustSelfFence, ownerSilent, reconcile, routeCommand, shedQuota, type CommandRoute, type OwnedPhone } from './policy';
import { RemoteView, type RemoteEvent } from './remote-view';
import { FleetSql, LOCKED_INSTANCE_PREFIX } from './sql';
import { NodeLock } from './node-lock';
import { StartGate } from './start-gate';
import { nodeViews, type FleetNodeView, type NodeRow } from './nodes';

export interface FleetSettings {
  nodeId: string;
  /** how long a lease lasts after a renewal (database clock) */
  leaseTtlMs: number;
  /** how often the lease is renewed and phones are claimed */
  renewIntervalMs: number;
  /** how long before the lease could expire this node stops acting as an owner */
  fenceMarginMs: number;
  /** the most phones this node runs */
  capacity: number;
  startConcurrency: number;
  startPerSecond: number;
  /** how long a command forwarded to another node may take */
  commandTimeoutMs: number;
  /**
   * whether the bus key was configured (FLEET_BUS_KEY): without it a node seals with a key of its
   * own, so it may only run alone and refuses to join a fleet with other live nodes
   */
  busKeyConfigured: boolean;
  /**
   * PostgreSQL: the database URL this node holds its liveness lock on (node-lock.ts); unset (SQLite,
   * bare test nodes): the lease alone says whether the node lives
   */
  livenessLockUrl?: string;
  /** how often a node looks for nodes whose liveness lock is gone, and pings its own (ms) */
  deathCheckMs?: number;
}

export const newNodeId = () => `n${crypto.randomBytes(6).toString('hex')}`;

/** This process must not join the fleet (its NODE_ID is in use, or it has no bus key): it stops with this message. */
export class FleetStartRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetStartRefusedError';
  }
}

const nodeIdInUse = (nodeId: string, leftMs: number) =>
  new FleetStartRefusedError(
    `NODE_ID ${nodeId} is in use by another running process (its lease ends in ${Math.max(0, Math.round(leftMs))} ms if it stopped): start this one with another NODE_ID or none (a random one), or once that process has stopped`,
  );

const EVENTS = 'fleet_events';
const cmdChannel = (nodeId: string) => `fleet_cmd_${nodeId}`;
const replyChannel = (nodeId: string) => `fleet_reply_${nodeId}`;

// What the bus may carry, checked with zod after the envelope opened (bus-seal.ts): a message
// that does not match is dropped and counted, never handled.
const nodeIdSchema = z.string().regex(/^[a-z0-9_]{1,40}$/);
const phoneIdSchema = z.number().int().positive().max(2_147_483_647);
const epochSchema = z.number().int().positive();
// A snapshot is kept as sent; what the view relies on is checked.
const snapshotSchema = z.looseObject({ phoneId: phoneIdSchema, organizationId: z.number().int(), phoneJid: z.string(), state: z.string(), isConnected: z.boolean() });
const remoteEventSchema = z.object({
  event: z.looseObject({ phoneId: phoneIdSchema, type: z.string() }),
  snapshot: snapshotSchema,
  epoch: epochSchema,
});
const busMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('events'), from: nodeIdSchema, items: z.array(remoteEventSchema).max(10_000) }),
  z.object({ kind: z.literal('hello'), from: nodeIdSchema }),
  z.object({ kind: z.literal('released'), from: nodeIdSchema }),
  z.object({ kind: z.literal('messages'), from: nodeIdSchema, phoneId: phoneIdSchema }),
  z.object({ kind: z.literal('snapshots'), from: nodeIdSchema, items: z.array(z.object({ snapshot: snapshotSchema, epoch: epochSchema })).max(10_000) }),
]);
type BusMessage =
  | { kind: 'events'; from: string; items: RemoteEvent[] }
  | { kind: 'hello'; from: string }
  | { kind: 'released'; from: string }
  | { kind: 'messages'; from: string; phoneId: number }
  | { kind: 'snapshots'; from: string; items: { snapshot: SessionSnapshot; epoch: number }[] };

const commandRequestSchema = z.object({
  id: z.string().min(1).max(100),
  from: nodeIdSchema,
  cmd: z.object({ op: z.enum(FLEET_OPS), phoneId: phoneIdSchema, args: z.unknown().optional() }),
  /** the owner's epoch the sender routed the command to */
  epoch: epochSchema,
  /** the sender's wall clock (ms) after which the command must not start */
  deadlineMs: z.number().int().positive(),
});
type CommandRequest = z.infer<typeof commandRequestSchema>;

const commandReplySchema = z.object({
  id: z.string().min(1).max(100),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ name: z.string(), code: z.string(), message: z.string() }).optional(),
});
type CommandReply = z.infer<typeof commandReplySchema>;

/** The code of a forwarded command whose owner did not answer in time (HTTP 503, Retry-After). */
export const OWNER_UNREACHABLE = 'owner_unreachable';

/** Parses a bus message; a malformed one is counted and dropped (null). */
function parsed<T>(schema: z.ZodType<T>, message: unknown, log: Logger, channel: string): T | null {
  const r = schema.safeParse(message);
  if (r.success) return r.data;
  countDrop('invalid');
  log.warn({ channel, issues: r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'fleet bus message dropped: not a valid message');
  return null;
}

/** Rebuilds a domain error sent by another node, so the HTTP answer is the same as a local one. */
function errorFromReply(e: NonNullable<CommandReply['error']>): Error {
  switch (e.name) {
    case 'NotFoundError':
      return new NotFoundError(e.message);
    case 'ConflictError':
      return new ConflictError(e.message, undefined, (CONFLICT_CODES as readonly string[]).includes(e.code) ? (e.code as ConflictCode) : 'conflict');
    case 'InvalidInputError':
      return new InvalidInputError(e.message);
    case 'UnavailableError':
      return new UnavailableError(e.message, e.code);
    default:
      return new UnavailableError(`The node that owns this phone failed: ${e.message}`, 'node_failed');
  }
}

export class Fleet implements FleetMembership {
  readonly nodeId: string;
  /**
   * this process's token in its lease row (a second process with the same id cannot renew it);
   * with a liveness lock it starts with LOCKED_INSTANCE_PREFIX and changes when the lock is lost
   */
  private instance: string;
  /** PostgreSQL: the lock whose end tells the other nodes this instance died */
  private readonly lock: NodeLock | null;
  private deathTimer: NodeJS.Timeout | null = null;
  /**
   * nodes seen without their liveness lock while their lease lives: `id:instance` → when first
   * seen (monotonic ms); past the grace they are dead for the claims (`deadForClaims`)
   */
  private lockless = new Map<string, Lockless>();
  /** another process took this node id over (after this one's lease lapsed): it acts no more */
  private displaced = false;
  /** phones this node owns: phone id → epoch */
  readonly owned = new Map<number, number>();
  readonly remote = new RemoteView();
  private readonly sql: FleetSql;
  private readonly gate: StartGate;
  private timer: NodeJS.Timeout | null = null;
  /** the lease is renewed on its own schedule, never behind a claim that waits on a lock */
  private renewTimer: NodeJS.Timeout | null = null;
  private renewing: Promise<boolean> | null = null;
  private fenceTimer: NodeJS.Timeout | null = null;
  /** a round planned for the moment a silent node's lease lapses: node id → its lease end and timer */
  private lapseTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private lastRenewStartMono: number | null = null;
  private ticking: Promise<void> | null = null;
  private stopping = false;
  /** whether this node takes phones without a live owner (off: SESSIONS_AUTOSTART=false) */
  private claiming = true;
  private unsubscribers: (() => Promise<void>)[] = [];
  private pending = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void; timer: NodeJS.Timeout }>();
  private outbox: RemoteEvent[] = [];
  private flushScheduled = false;
  /** live nodes at the last tick */
  liveNodes = new Set<string>();
  /** when each live node's lease ends, on this node's clock (the database's end less its now, read together) */
  private leaseEnds = new Map<string, number>();
  /** remote owners whose epoch the database confirmed: phone id → node and epoch */
  private confirmed = new Map<number, { nodeId: string; epoch: number }>();
  /** remote view updates, one message after another (each may wait for the database) */
  private viewChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly store: SessionStore,
    private readonly bus: FleetBus,
    private readonly host: FleetHost,
    private readonly settings: FleetSettings,
    private readonly log: Logger,
  ) {
    this.nodeId = settings.nodeId;
    this.sql = new FleetSql(store.provider);
    this.gate = new StartGate({ concurrency: settings.startConcurrency, perSecond: settings.startPerSecond });
    this.lock = settings.livenessLockUrl && store.provider === 'postgresql' ? new NodeLock(settings.livenessLockUrl, log.child({ part: 'liveness-lock' }), settings.fenceMarginMs) : null;
    this.instance = this.newInstance();
    this.lock?.onLost((why) => void this.onLockLost(why));
  }

  private newInstance() {
    return `${this.lock ? LOCKED_INSTANCE_PREFIX : ''}${crypto.randomBytes(8).toString('hex')}`;
  }

  /**
   * The liveness lock's connection failed: the other nodes may take this node's phones from now
   * on (PostgreSQL has ended, or will end, the session), so every socket closes at once. The next
   * renewal takes a lock under a new instance token, and the phones still owned here run again at
   * the next epoch (reconcileOwned), unless another node took them meanwhile.
   */
  private async onLockLost(why: string) {
    if (this.stopping) return;
    const phones = [...this.owned.keys()];
    this.log.error({ why, phones: phones.length }, 'liveness lock connection lost: closing every socket (other nodes may take the phones at once)');
    this.owned.clear();
    await Promise.all(phones.map((id) => this.host.abandon(id, reason('lease_lost')).catch(() => {})));
  }

  /**
   * Looks for nodes whose lease lives but whose liveness lock is gone (dead: their session
   * ended) and runs a round at once to claim their phones; checks this node's own lock connection.
   */
  private async checkDeaths() {
    if (this.stopping || !this.lock) return;
    await this.lock.ping();
    const rows = await this.query<{ id: string; instance: string }>(this.sql.deadNodes()).catch(() => null);
    if (!rows) return;
    const lockless = new Set(rows.filter((d) => d.id !== this.nodeId).map((d) => `${d.id}:${d.instance}`));
    const seen = observeLockless({ seen: this.lockless, lockless, nowMono: performance.now(), graceMs: this.deathGraceMs() });
    this.lockless = seen.seen;
    if (seen.fresh.length) this.log.warn({ nodes: seen.fresh.map((k) => k.split(':')[0]) }, 'a node ended its database session before its lease: its phones are claimed after the grace');
    if (seen.due.length) void (this.ticking ?? Promise.resolve()).then(() => this.tick());
  }

  /**
   * How long a node must have been seen without its lock before its phones are claimed: the time
   * for a node whose connection was reset to see it too (its event loop may lag) and close its
   * sockets. Two death checks.
   */
  private deathGraceMs() {
    return 2 * (this.settings.deathCheckMs ?? 500);
  }

  /** The nodes (`id:instance`) seen without their liveness lock for longer than the grace. */
  private deadForClaims(): string[] {
    return deadForClaims({ seen: this.lockless, nowMono: performance.now(), graceMs: this.deathGraceMs() });
  }

  private async query<T>(s: { sql: string; params: unknown[] }): Promise<T[]> {
    return this.db.$queryRawUnsafe<T[]>(s.sql, ...s.params);
  }

  /**
   * A statement that may wait on a phone's owner row (claims, releases): on PostgreSQL its lock
   * waits are bounded (`lock_timeout`, well inside the fence margin), so a write transaction
   * stuck while holding the fence's share lock (a paused node, a vanished network) costs a
   * claim one failed round, never the round's lease renewal or the whole fleet's.
   */
  private async bounded<T>(s: { sql: string; params: unknown[] }): Promise<T[]> {
    if (this.store.provider !== 'postgresql') return this.query<T>(s);
    const ms = this.lockWaitMs();
    const [, , rows] = await this.db.$transaction([
      this.db.$executeRawUnsafe(`SET LOCAL lock_timeout = ${ms}`),
      this.db.$executeRawUnsafe(`SET LOCAL statement_timeout = ${ms * 2}`),
      this.db.$queryRawUnsafe<T[]>(s.sql, ...s.params),
    ]);
    return rows as T[];
  }

  /** A lock wait of a fleet statement: well inside the fence margin. */
  private lockWaitMs() {
    return Math.max(100, Math.min(2000, Math.floor(this.settings.fenceMarginMs / 2)));
  }

  /** Several fleet statements in one PostgreSQL transaction, each bounded as `bounded` does. */
  private async boundedTx<R>(body: (q: <T>(s: { sql: string; params: unknown[] }) => Promise<T[]>) => Promise<R>): Promise<R> {
    const ms = this.lockWaitMs();
    return this.db.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${ms}`);
        await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${ms * 2}`);
        return body(<T>(s: { sql: string; params: unknown[] }) => tx.$queryRawUnsafe<T[]>(s.sql, ...s.params));
      },
      // Prisma's defaults at least (a busy machine waits for a pool connection); a round that runs out retries next round.
      { maxWait: Math.max(2000, ms * 4), timeout: Math.max(5000, ms * 6) },
    );
  }

  /** Renews unless a renewal is in flight; false when it failed (logged; self-fencing handles a long run of them). */
  private renewSoon(): Promise<boolean> {
    this.renewing ??= this.renew()
      .then(() => true)
      .catch((err) => {
        this.log.warn({ err }, 'lease renewal failed');
        return false;
      })
      .finally(() => {
        this.renewing = null;
      });
    return this.renewing;
  }

  /** Joins: lease, bus subscriptions, a first claim; then renews and claims every interval. */
  async start(opts: { claimOrphans?: boolean } = {}): Promise<void> {
    this.claiming = opts.claimOrphans ?? true;
    if (!this.settings.busKeyConfigured) {
      const others = await this.liveOthersAfterWaiting();
      if (others.length) {
        throw new FleetStartRefusedError(
          `FLEET_BUS_KEY is not set, but other nodes share this database (${others.join(', ')}): every node of a fleet must have the same FLEET_BUS_KEY (docs/fleet.md)`,
        );
      }
    }
    // The lock first: a lease row naming a locked instance always has its lock taken.
    await this.lock?.acquire(this.nodeId, this.instance);
    const [first] = await this.query<{ leaseExpiresMs: unknown }>(this.sql.renew(this.nodeId, this.settings.leaseTtlMs, this.settings.capacity, this.instance));
    if (!first) {
      await this.lock?.release();
      const [left] = await this.query<{ leftMs: number | bigint | string }>(this.sql.leaseLeft(this.nodeId));
      throw nodeIdInUse(this.nodeId, Number(left?.leftMs ?? 0));
    }
    // Phones still owned under this id belonged to an earlier process: new epochs, so its late
    // writes (a paused process that resumes) are refused.
    await this.query(this.sql.reincarnate(this.nodeId));
    await this.renew();
    const log = this.log;
    this.unsubscribers.push(
      await this.bus.subscribe(EVENTS, (m) => {
        const msg = parsed(busMessageSchema, m, log, EVENTS);
        if (msg) this.onBusMessage(msg as BusMessage);
      }),
    );
    this.unsubscribers.push(
      await this.bus.subscribe(cmdChannel(this.nodeId), async (m) => {
        const req = parsed(commandRequestSchema, m, log, cmdChannel(this.nodeId));
        if (req) await this.onCommand(req);
      }),
    );
    this.unsubscribers.push(
      await this.bus.subscribe(replyChannel(this.nodeId), (m) => {
        const reply = parsed(commandReplySchema, m, log, replyChannel(this.nodeId));
        if (reply) this.onReply(reply);
      }),
    );
    await this.bus.publish(EVENTS, { kind: 'hello', from: this.nodeId } satisfies BusMessage).catch(() => {});
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.settings.renewIntervalMs);
    this.renewTimer = setInterval(() => void this.renewSoon(), this.settings.renewIntervalMs);
    // Self-fencing is checked more often than renewals happen, on a monotonic clock.
    this.fenceTimer = setInterval(() => void this.checkFence(), Math.max(100, Math.floor(this.settings.fenceMarginMs / 3)));
    if (this.lock) this.deathTimer = setInterval(() => void this.checkDeaths().catch((err) => this.log.debug({ err }, 'death check failed')), this.settings.deathCheckMs ?? 500);
    this.log.info({ nodeId: this.nodeId, capacity: this.settings.capacity }, 'joined the fleet');
  }

  /**
   * The other nodes that are really alive: a lease row left by a process that just died (a quick
   * restart of a single node) lives on for up to the lease; only a lease renewed while we wait
   * (up to one lease and one renewal) proves a live node.
   */
  private async liveOthersAfterWaiting(): Promise<string[]> {
    const read = async () => (await this.query<{ id: string; leaseExpiresMs: unknown }>(this.sql.liveNodes())).filter((n) => n.id !== this.nodeId);
    const first = new Map((await read()).map((n) => [n.id, String(n.leaseExpiresMs)]));
    const until = performance.now() + this.settings.leaseTtlMs + this.settings.renewIntervalMs;
    while (first.size && performance.now() < until) {
      const now = await read();
      const renewed = now.filter((n) => !first.has(n.id) || first.get(n.id) !== String(n.leaseExpiresMs));
      if (renewed.length) return renewed.map((n) => n.id);
      if (!now.length) return [];
      this.log.warn({ nodes: now.map((n) => n.id) }, 'FLEET_BUS_KEY is not set and other nodes have a lease: waiting to see whether they are alive');
      await new Promise((r) => setTimeout(r, this.settings.renewIntervalMs));
    }
    return (await read()).map((n) => n.id);
  }

  /**
   * One round: self-fence if needed, renew (unless the lease's own schedule is renewing right
   * now), reconcile what we own, claim what is orphaned, shed the excess.
   */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        await this.checkFence();
        // No lease renewed, no ownership decisions: a node that cannot renew only fences.
        if (!(await this.renewSoon()) || this.displaced) return;
        await this.reconcileOwned();
        await this.claimOrphans();
        await this.shedExcess();
      } catch (err) {
        this.log.warn({ err }, 'fleet round failed');
      }
    })().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async renew() {
    if (this.stopping || this.displaced) return;
    let previous: string | undefined;
    if (this.lock && !this.lock.isHeld) {
      // The lock's session ended: this instance counts as dead, so the node goes on as a new one.
      const next = this.newInstance();
      await this.lock.acquire(this.nodeId, next);
      previous = this.instance;
      this.instance = next;
      this.log.info({ nodeId: this.nodeId }, 'liveness lock taken again under a new instance token');
    }
    const started = performance.now();
    const renewed = await this.query(this.sql.renew(this.nodeId, this.settings.leaseTtlMs, this.settings.capacity, this.instance, previous));
    if (!renewed.length) {
      // Our lease lapsed (a pause) and another process started under this id: it owns what this
      // id owns now. Close everything and never act again.
      this.displaced = true;
      this.stopping = true;
      this.log.error({ nodeId: this.nodeId }, 'another process runs under this NODE_ID now: closing every socket, this process no longer acts as a node');
      const phones = [...this.owned.keys()];
      this.owned.clear();
      await Promise.all(phones.map((id) => this.host.abandon(id, reason('displaced')).catch(() => {})));
      throw new Error('displaced by another process with the same NODE_ID');
    }
    this.lastRenewStartMono = started;
    const live = await this.query<{ id: string; leaseExpiresMs: number | bigint | string; nowMs: number | bigint | string }>(this.sql.liveNodes());
    this.liveNodes = new Set(live.map((n) => n.id));
    const at = Date.now();
    this.leaseEnds = new Map(live.map((n) => [n.id, at + Number(n.leaseExpiresMs) - Number(n.nowMs)]));
    this.showSilentOwners(live);
  }

  /**
   * The live view: phones of an owner that stopped renewing its lease (or whose lease lapsed) are
   * shown as `owner_lost`, judged on the database's clock, with a state event on the stream; an
   * owner heard from again gets its phones' last reported state back.
   */
  private showSilentOwners(live: { id: string; leaseExpiresMs: number | bigint | string; nowMs: number | bigint | string }[]) {
    const heard = new Set(
      live
        .filter((n) => !ownerSilent({ leaseExpiresMs: Number(n.leaseExpiresMs), nowMs: Number(n.nowMs), ttlMs: this.settings.leaseTtlMs, renewMs: this.settings.renewIntervalMs }))
        .map((n) => n.id),
    );
    // A silent owner's phones are claimed the moment its lease lapses, not at the next round.
    for (const n of live) if (!heard.has(n.id)) this.claimAtLapse(n.id, Number(n.leaseExpiresMs), Number(n.nowMs));
    const at = new Date().toISOString();
    for (const c of this.remote.hearOnly(heard)) {
      if (c.state === 'owner_lost') this.log.warn({ phoneId: c.phoneId }, 'the owner of a phone stopped renewing its lease: shown as owner lost until it runs elsewhere');
      const leaseEnd = c.state === 'owner_lost' ? this.leaseEndOf(c.nodeId) : null;
      this.host.onRemoteEvent({ type: 'state', phoneId: c.phoneId, phoneJid: c.phoneJid, state: c.state, previous: c.previous, at, node: c.nodeId, ...(leaseEnd !== null ? { leaseEndsAt: new Date(leaseEnd).toISOString() } : {}) });
    }
  }

  /** When a live node's lease ends (ms, this node's clock; as of the last renewal round); null when it is not live. */
  leaseEndOf(nodeId: string): number | null {
    return this.leaseEnds.get(nodeId) ?? null;
  }

  /** The live nodes of the fleet with their leases and the phones they run (GET /api/nodes). */
  async nodes(): Promise<FleetNodeView[]> {
    const rows = await this.query<NodeRow>(this.sql.nodesOverview());
    return nodeViews(rows, { self: this.nodeId, ttlMs: this.settings.leaseTtlMs, renewMs: this.settings.renewIntervalMs });
  }

  /**
   * Runs a round right after a silent node's lease lapses (database clock: the lease's end less
   * the database's now, read together), so its phones are claimed then instead of up to one
   * `LEASE_RENEW_MS` later. Once per lease end; a round that finds the lease renewed claims nothing.
   */
  private claimAtLapse(nodeId: string, leaseExpiresMs: number, nowMs: number) {
    if (this.stopping || this.lapseTimers.get(nodeId)?.at === leaseExpiresMs) return;
    const known = this.lapseTimers.get(nodeId);
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => {
      this.lapseTimers.delete(nodeId);
      // After a round in flight (it may have passed its claim already), a round of its own.
      void (this.ticking ?? Promise.resolve()).then(() => this.tick());
    }, Math.max(0, leaseExpiresMs - nowMs) + 20);
    timer.unref?.();
    this.lapseTimers.set(nodeId, { at: leaseExpiresMs, timer });
  }

  /** Closes every socket before the lease can expire when renewals stopped working. */
  private async checkFence() {
    if (!mustSelfFence({ lastRenewStartMono: this.lastRenewStartMono, nowMono: performance.now(), ttlMs: this.settings.leaseTtlMs, marginMs: this.settings.fenceMarginMs })) return;
    if (!this.owned.size) return;
    const phones = [...this.owned.keys()];
    this.log.error({ phones: phones.length }, 'lease not renewed in time: closing every socket (self-fencing)');
    this.owned.clear();
    await Promise.all(phones.map((id) => this.host.abandon(id, reason('lease_lost')).catch(() => {})));
  }

  private async reconcileOwned() {
    const before = new Map(this.owned); // a claim may run while the query does: judge only these
    const rows = await this.query<{ phoneId: number | bigint; epoch: number | bigint; run: number | bigint }>(this.sql.owned(this.nodeId));
    const stored: OwnedPhone[] = rows.map((r) => ({ phoneId: Number(r.phoneId), epoch: Number(r.epoch) }));
    const shouldRun = new Set(rows.filter((r) => Number(r.run) === 1).map((r) => Number(r.phoneId)));
    const { lost, gained } = reconcile(before, stored);
    for (const id of lost) {
      if (this.owned.get(id) !== before.get(id)) continue; // claimed again meanwhile
      this.owned.delete(id);
      this.log.warn({ phoneId: id }, 'phone owned by another node now: closing its socket');
      await this.host.abandon(id, reason('moved')).catch(() => {});
    }
    // Still ours in the database but not running here (after self-fencing through an outage):
    // this node keeps them and starts the ones that should run, at the next epoch, so that no
    // write of the session it abandoned can land after the new session's (issue 21.7). A phone a
    // command started here meanwhile keeps its epoch (its session is the current one).
    const running = new Set(this.host.runningPhones());
    for (const { phoneId, epoch } of gained) {
      if (this.owned.has(phoneId)) continue;
      let now = epoch;
      if (!running.has(phoneId)) {
        const [row] = await this.bounded<{ epoch: number | bigint }>(this.sql.reclaim(this.nodeId, phoneId, epoch));
        if (!row) continue; // moved meanwhile: the next round sees where
        now = Number(row.epoch);
      }
      if (this.owned.has(phoneId) || !this.locked) continue;
      this.adopt(phoneId, now);
      if (shouldRun.has(phoneId)) this.startClaimed(phoneId);
    }
  }

  /** False while the liveness lock is lost (until the next renewal takes a new one): this node owns nothing new. */
  private get locked() {
    return !this.lock || this.lock.isHeld;
  }

  private async claimOrphans() {
    if (this.stopping || !this.claiming || !this.locked) return;
    const [{ n }] = await this.query<{ n: number | bigint }>(this.sql.countToRun());
    const quota = claimQuota({ toRun: Number(n), liveNodes: this.liveNodes.size, capacity: this.settings.capacity, owned: this.host.runningCount() });
    if (quota <= 0) return;
    const claimed = await this.claim(quota);
    if (!claimed.length) return;
    this.log.info({ count: claimed.length }, 'claimed phones without a live owner');
    for (const row of claimed) {
      if (!this.locked) break; // lost meanwhile: the others take them (this node's lock is gone)
      const phoneId = Number(row.phoneId);
      this.adopt(phoneId, Number(row.epoch));
      this.startClaimed(phoneId);
    }
  }

  /**
   * Claims up to `quota` phones without a live owner. PostgreSQL: one transaction of two
   * statements, locks first (never waiting), then the judgement on a snapshot taken under them.
   */
  private async claim(quota: number): Promise<{ phoneId: number | bigint; epoch: number | bigint }[]> {
    if (this.store.provider !== 'postgresql') return this.query(this.sql.claim(this.nodeId, quota));
    return this.boundedTx(async (q) => {
      const dead = this.deadForClaims();
      const locked = await q<{ phoneId: number | bigint }>(this.sql.claimLock(quota, dead));
      if (!locked.length) return [];
      return q<{ phoneId: number | bigint; epoch: number | bigint }>(this.sql.claimTake(this.nodeId, locked.map((r) => Number(r.phoneId)), dead));
    });
  }

  /** Hands phones back when this node runs more than its share; other nodes claim them. */
  private async shedExcess() {
    if (this.stopping || !this.claiming || this.gate.inFlight > 0) return;
    const running = this.host.runningPhones();
    const [{ n }] = await this.query<{ n: number | bigint }>(this.sql.countToRun());
    const count = shedQuota({ toRun: Number(n), liveNodes: this.liveNodes.size, owned: running.length });
    if (!count) return;
    const phones = running.slice(-count);
    this.log.info({ phones }, 'running more than a fair share: handing phones to other nodes');
    for (const phoneId of phones) {
      this.owned.delete(phoneId);
      await this.host.release(phoneId, reason('rebalanced', { from: this.nodeId })).catch((err) => this.log.warn({ err, phoneId }, 'could not close a phone to hand it over'));
    }
    await this.bounded(this.sql.release(this.nodeId, phones));
  }

  /** Starts an owned phone through the staggered start gate. */
  private startClaimed(phoneId: number) {
    void this.gate
      .run(() => this.host.startOwned(phoneId), () => this.host.settled(phoneId))
      .catch((err) => this.log.error({ err, phoneId }, 'failed to start a claimed phone'));
  }

  private adopt(phoneId: number, epoch: number) {
    this.owned.set(phoneId, epoch);
    this.store.setFence(phoneId, { nodeId: this.nodeId, epoch });
    this.remote.forget(phoneId);
  }

  /** Takes one phone for a command that opens a socket; false when another live node owns it. */
  async claimOne(phoneId: number): Promise<boolean> {
    if (this.displaced || (this.lock && !this.lock.isHeld)) return false;
    const take = this.sql.claimOne(this.nodeId, phoneId, this.deadForClaims());
    const rows =
      this.store.provider === 'postgresql'
        ? await this.boundedTx(async (q) => {
            await q(this.sql.lockOwnerRow(phoneId)); // judged below on a snapshot taken under the lock
            return q<{ phoneId: number | bigint; epoch: number | bigint }>(take);
          })
        : await this.query<{ phoneId: number | bigint; epoch: number | bigint }>(take);
    if (!rows.length) return false;
    this.adopt(phoneId, Number(rows[0].epoch));
    return true;
  }

  /** Where a command for the phone runs now. */
  async route(phoneId: number): Promise<CommandRoute> {
    const [row] = await this.query<{ nodeId: string; epoch: number | bigint; live: number | bigint }>(this.sql.ownerOf(phoneId));
    return routeCommand(this.nodeId, row ? { nodeId: row.nodeId, epoch: Number(row.epoch), live: Number(row.live) === 1 } : null);
  }

  /**
   * Runs a command on the node that owns the phone (at `epoch`) and answers with its result. The
   * command carries a deadline: the owner runs it only before then, so when no answer came in
   * time the caller is told (503 owner_unreachable) that it will not run later.
   */
  forward(nodeId: string, epoch: number, cmd: FleetCommand): Promise<unknown> {
    const id = crypto.randomUUID();
    const deadlineMs = Date.now() + this.settings.commandTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new UnavailableError(
            `The node that owns phone ${cmd.phoneId} did not answer in time; the command was not run and will not run later`,
            OWNER_UNREACHABLE,
            { willRunLater: false },
          ),
        );
      }, this.settings.commandTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.bus.publish(cmdChannel(nodeId), { id, from: this.nodeId, cmd, epoch, deadlineMs } satisfies CommandRequest).catch((err) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new UnavailableError(`Could not reach the node that owns phone ${cmd.phoneId}: ${(err as Error).message}`, 'node_unavailable'));
      });
    });
  }

  private async onCommand(req: CommandRequest) {
    let reply: CommandReply;
    try {
      // Checked on the database, right before running: a node paused past its lease (or whose
      // phone moved) must not act on a phone it no longer owns, nor on a command its sender has
      // already given up on.
      const [row] = await this.query<{ nodeId: string; epoch: number | bigint; live: number | bigint }>(this.sql.ownerOf(req.cmd.phoneId));
      const ownedEpoch = row && row.nodeId === this.nodeId && Number(row.live) === 1 && this.owned.get(req.cmd.phoneId) === Number(row.epoch) ? Number(row.epoch) : null;
      const verdict = mayRunForwarded({ nowMs: Date.now(), deadlineMs: req.deadlineMs, routedEpoch: req.epoch, ownedEpoch });
      if (verdict === 'expired') {
        this.log.warn({ phoneId: req.cmd.phoneId, op: req.cmd.op, from: req.from }, 'fleet command dropped: past its deadline (its sender has answered that it will not run)');
        return;
      }
      if (verdict === 'not_owner') {
        this.log.warn({ phoneId: req.cmd.phoneId, op: req.cmd.op, epoch: req.epoch }, 'fleet command dropped: this node does not own the phone at that epoch');
        throw new UnavailableError(`This node no longer owns phone ${req.cmd.phoneId}`, OWNER_CHANGED);
      }
      const result = await this.host.runLocal(req.cmd);
      reply = { id: req.id, ok: true, result: result ?? null };
    } catch (err) {
      const e = err as Error & { code?: string };
      const brand = domainBrand(err);
      reply = { id: req.id, ok: false, error: { name: brand ?? 'Error', code: brand ? e.code! : 'internal', message: e.message } };
    }
    await this.bus.publish(replyChannel(req.from), reply).catch((err) => this.log.warn({ err }, 'could not answer a fleet command'));
  }

  private onReply(reply: CommandReply) {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(errorFromReply(reply.error!));
  }

  /** Sends a local engine event (with the session's snapshot) to the other nodes, batched per tick. */
  publishEvent(event: SessionEngineEvent, snapshot: SessionSnapshot) {
    const epoch = this.owned.get(event.phoneId);
    if (epoch === undefined) return; // not ours (any more): the owner reports it
    this.outbox.push({ event, snapshot, epoch });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const items = this.outbox;
      this.outbox = [];
      for (const part of packMessages(items)) {
        void this.bus.publish(EVENTS, { kind: 'events', from: this.nodeId, items: part } satisfies BusMessage).catch((err) => this.log.debug({ err }, 'fleet event not published'));
      }
    });
  }

  /**
   * The phones among `items` whose owner row names `from` at that epoch. A remote node's snapshot
   * is believed only when the database agrees; a confirmed (phone, node, epoch) is remembered, so
   * the database is asked once per change of owner, not per event.
   */
  private async confirmedOwners(from: string, items: { phoneId: number; epoch: number }[]): Promise<Set<number>> {
    const ok = new Set<number>();
    const ask = [...new Set(items.filter((i) => {
      const c = this.confirmed.get(i.phoneId);
      if (c && c.nodeId === from && c.epoch === i.epoch) {
        ok.add(i.phoneId);
        return false;
      }
      return true;
    }).map((i) => i.phoneId))];
    if (!ask.length) return ok;
    const rows = await this.query<{ phoneId: number | bigint; nodeId: string; epoch: number | bigint }>(this.sql.ownersOf(ask));
    const owners = new Map(rows.map((r) => [Number(r.phoneId), { nodeId: r.nodeId, epoch: Number(r.epoch) }]));
    for (const i of items) {
      const o = owners.get(i.phoneId);
      if (o && o.nodeId === from && o.epoch === i.epoch) {
        this.confirmed.set(i.phoneId, o);
        ok.add(i.phoneId);
      }
    }
    return ok;
  }

  /** Tells the owner of a phone (whichever node it is) that a message waits in its queue. */
  publishMessagesQueued(phoneId: number) {
    void this.bus.publish(EVENTS, { kind: 'messages', from: this.nodeId, phoneId } satisfies BusMessage).catch((err) => this.log.debug({ err }, 'messages wake-up not published'));
  }

  private onBusMessage(m: BusMessage) {
    if (m.from === this.nodeId) return;
    switch (m.kind) {
      case 'events':
      case 'snapshots':
        this.viewChain = this.viewChain.then(() => this.applyRemote(m)).catch((err) => this.log.warn({ err }, 'remote snapshots not applied'));
        return;
      case 'hello': {
        // Sealed, so it comes from a node with the fleet's key; what it may learn is what the
        // event stream shows anyway.
        const mine = this.host
          .localSnapshots()
          .filter((snap) => this.owned.has(snap.phoneId))
          .map((snapshot) => ({ snapshot, epoch: this.owned.get(snapshot.phoneId)! }));
        for (const part of packMessages(mine)) {
          void this.bus.publish(EVENTS, { kind: 'snapshots', from: this.nodeId, items: part } satisfies BusMessage).catch(() => {});
        }
        return;
      }
      case 'released':
        this.remote.forgetNode(m.from);
        void this.tick();
        return;
      case 'messages':
        if (this.owned.has(m.phoneId)) this.host.onMessagesQueued(m.phoneId);
        return;
    }
  }

  private async applyRemote(m: Extract<BusMessage, { kind: 'events' | 'snapshots' }>) {
    const items = m.items.filter((i) => !this.owned.has(i.snapshot.phoneId)); // ours now: a late message of the old owner
    const believed = await this.confirmedOwners(
      m.from,
      items.map((i) => ({ phoneId: i.snapshot.phoneId, epoch: i.epoch })),
    );
    for (const item of items) {
      if (!believed.has(item.snapshot.phoneId) || this.owned.has(item.snapshot.phoneId)) continue;
      const applied = this.remote.apply(m.from, item.snapshot, item.epoch);
      if (!applied || m.kind !== 'events') continue;
      const event = (item as RemoteEvent).event;
      this.host.onRemoteEvent(event.type === 'state' ? { ...event, node: m.from } : event);
    }
  }

  /**
   * Drain (SIGTERM): stop claiming, close every socket without logging out, storing `drained`
   * as each phone's last close (fenced, before the release: the page says why it moved), then give
   * up the phones and the lease so other nodes claim them at once (one reconnect each, no 440).
   */
  async drain(): Promise<void> {
    this.stopping = true;
    this.stopTimers();
    await this.ticking;
    await this.renewing;
    await this.host.closeAll(reason('drained', { from: this.nodeId }));
    try {
      await this.bounded(this.sql.release(this.nodeId));
      await this.query(this.sql.leave(this.nodeId));
      await this.bus.publish(EVENTS, { kind: 'released', from: this.nodeId } satisfies BusMessage);
      this.log.info({ phones: this.owned.size }, 'left the fleet: phones released');
    } catch (err) {
      this.log.warn({ err }, 'could not release the phones: other nodes take them when the lease expires');
    }
    this.owned.clear();
    await this.close();
  }

  private stopTimers() {
    if (this.timer) clearInterval(this.timer);
    if (this.fenceTimer) clearInterval(this.fenceTimer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.deathTimer) clearInterval(this.deathTimer);
    this.renewTimer = null;
    this.deathTimer = null;
    this.timer = null;
    this.fenceTimer = null;
    for (const { timer } of this.lapseTimers.values()) clearTimeout(timer);
    this.lapseTimers.clear();
  }

  /** Stops timers and the bus without releasing anything (tests). */
  async close() {
    this.stopping = true;
    this.stopTimers();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new UnavailableError('This node is shutting down', 'node_unavailable'));
    }
    this.pending.clear();
    for (const u of this.unsubscribers.splice(0)) await u().catch(() => {});
    await this.bus.close();
    await this.lock?.release();
  }
}
