// This node's membership in the fleet: its lease, the phones it owns (with their fencing epochs),
// claiming phones whose owner is gone, self-fencing, draining, commands to the owner of a phone,
// and the live view of the other nodes' phones. The decisions are in policy.ts; the SQL in sql.ts;
// sessions know nothing of it (the manager is the host that starts and stops them).
import crypto from 'node:crypto';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { CONFLICT_CODES, ConflictError, DomainError, type ConflictCode, InvalidInputError, NotFoundError, UnavailableError } from '../errors';
import type { SessionEngineEvent, SessionSnapshot } from '../sessions/types';
import type { SessionStore } from '../sessions/store';
import type { FleetBus } from './bus';
import { packMessages } from './bus';
import { claimQuota, mustSelfFence, reconcile, routeCommand, shedQuota, type CommandRoute, type OwnedPhone } from './policy';
import { RemoteView, type RemoteEvent } from './remote-view';
import { FleetSql } from './sql';
import { StartGate } from './start-gate';

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
}

export const newNodeId = () => `n${crypto.randomBytes(6).toString('hex')}`;

/** The operations that may be sent to the owner of a phone. */
export const FLEET_OPS = ['start', 'restart', 'close', 'logout', 'pairing-code', 'remove', 'set-proxy'] as const;
export type FleetOp = (typeof FLEET_OPS)[number];

export interface FleetCommand {
  op: FleetOp;
  phoneId: number;
  args?: unknown;
}

/** What the fleet needs from the session manager. */
export interface FleetHost {
  /** starts a phone this node has just claimed (its fence is set) */
  startOwned(phoneId: number): Promise<void>;
  /** resolves when the phone is no longer connecting (open, pairing, closed) */
  settled(phoneId: number): Promise<void>;
  /** stops a phone this node lost: socket closed at once, nothing written, no reconnect */
  abandon(phoneId: number, reason: string): Promise<void>;
  /** closes every socket without logging out and without changing stored statuses (drain) */
  closeAll(): Promise<void>;
  /** closes one phone's socket the same way and forgets it here (it is handed to another node) */
  release(phoneId: number): Promise<void>;
  /** this node's running phones, in the order it would give them up */
  runningPhones(): number[];
  /** runs a command here (sent by another node, or local) */
  runLocal(cmd: FleetCommand): Promise<unknown>;
  /** how many of this node's phones are running (they count against its capacity) */
  runningCount(): number;
  /** snapshots of this node's sessions (sent to nodes that join) */
  localSnapshots(): SessionSnapshot[];
  /** an event of a phone another node runs (for the live view and the event stream) */
  onRemoteEvent(event: SessionEngineEvent): void;
  /** another node stored a message for the phone: send it when the phone runs here */
  onMessagesQueued(phoneId: number): void;
}

const EVENTS = 'fleet_events';
const cmdChannel = (nodeId: string) => `fleet_cmd_${nodeId}`;
const replyChannel = (nodeId: string) => `fleet_reply_${nodeId}`;

type BusMessage =
  | { kind: 'events'; from: string; items: RemoteEvent[] }
  | { kind: 'hello'; from: string }
  | { kind: 'released'; from: string }
  | { kind: 'messages'; from: string; phoneId: number }
  | { kind: 'snapshots'; from: string; items: { snapshot: SessionSnapshot; epoch: number }[] };

interface CommandRequest {
  id: string;
  from: string;
  cmd: FleetCommand;
}
interface CommandReply {
  id: string;
  ok: boolean;
  result?: unknown;
  error?: { name: string; code: string; message: string };
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

export class Fleet {
  readonly nodeId: string;
  /** phones this node owns: phone id → epoch */
  readonly owned = new Map<number, number>();
  readonly remote = new RemoteView();
  private readonly sql: FleetSql;
  private readonly gate: StartGate;
  private timer: NodeJS.Timeout | null = null;
  private fenceTimer: NodeJS.Timeout | null = null;
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
  }

  private async query<T>(s: { sql: string; params: unknown[] }): Promise<T[]> {
    return this.db.$queryRawUnsafe<T[]>(s.sql, ...s.params);
  }

  /** Joins: lease, bus subscriptions, a first claim; then renews and claims every interval. */
  async start(opts: { claimOrphans?: boolean } = {}): Promise<void> {
    this.claiming = opts.claimOrphans ?? true;
    await this.renew();
    this.unsubscribers.push(await this.bus.subscribe(EVENTS, (m) => this.onBusMessage(m as BusMessage)));
    this.unsubscribers.push(await this.bus.subscribe(cmdChannel(this.nodeId), (m) => void this.onCommand(m as CommandRequest)));
    this.unsubscribers.push(await this.bus.subscribe(replyChannel(this.nodeId), (m) => this.onReply(m as CommandReply)));
    await this.bus.publish(EVENTS, { kind: 'hello', from: this.nodeId } satisfies BusMessage).catch(() => {});
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.settings.renewIntervalMs);
    // Self-fencing is checked more often than renewals happen, on a monotonic clock.
    this.fenceTimer = setInterval(() => void this.checkFence(), Math.max(100, Math.floor(this.settings.fenceMarginMs / 3)));
    this.log.info({ nodeId: this.nodeId, capacity: this.settings.capacity }, 'joined the fleet');
  }

  /** One round: self-fence if needed, renew, reconcile what we own, claim what is orphaned. */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        await this.checkFence();
        await this.renew();
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
    if (this.stopping) return;
    const started = performance.now();
    await this.query(this.sql.renew(this.nodeId, this.settings.leaseTtlMs, this.settings.capacity));
    this.lastRenewStartMono = started;
    const live = await this.query<{ id: string }>(this.sql.liveNodes());
    this.liveNodes = new Set(live.map((n) => n.id));
    this.remote.keepNodes(this.liveNodes);
  }

  /** Closes every socket before the lease can expire when renewals stopped working. */
  private async checkFence() {
    if (!mustSelfFence({ lastRenewStartMono: this.lastRenewStartMono, nowMono: performance.now(), ttlMs: this.settings.leaseTtlMs, marginMs: this.settings.fenceMarginMs })) return;
    if (!this.owned.size) return;
    const phones = [...this.owned.keys()];
    this.log.error({ phones: phones.length }, 'lease not renewed in time: closing every socket (self-fencing)');
    this.owned.clear();
    await Promise.all(phones.map((id) => this.host.abandon(id, 'Lease lost: this node could not renew it in time').catch(() => {})));
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
      await this.host.abandon(id, 'Owned by another node now').catch(() => {});
    }
    // Still ours in the database but not running here (after self-fencing through an outage):
    // this node keeps them and starts the ones that should run.
    for (const { phoneId, epoch } of gained) {
      if (this.owned.has(phoneId)) continue;
      this.adopt(phoneId, epoch);
      if (shouldRun.has(phoneId)) this.startClaimed(phoneId);
    }
  }

  private async claimOrphans() {
    if (this.stopping || !this.claiming) return;
    const [{ n }] = await this.query<{ n: number | bigint }>(this.sql.countToRun());
    const quota = claimQuota({ toRun: Number(n), liveNodes: this.liveNodes.size, capacity: this.settings.capacity, owned: this.host.runningCount() });
    if (quota <= 0) return;
    const claimed = await this.query<{ phoneId: number | bigint; epoch: number | bigint }>(this.sql.claim(this.nodeId, quota));
    if (!claimed.length) return;
    this.log.info({ count: claimed.length }, 'claimed phones without a live owner');
    for (const row of claimed) {
      const phoneId = Number(row.phoneId);
      this.adopt(phoneId, Number(row.epoch));
      this.startClaimed(phoneId);
    }
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
      await this.host.release(phoneId).catch((err) => this.log.warn({ err, phoneId }, 'could not close a phone to hand it over'));
    }
    await this.query(this.sql.release(this.nodeId, phones));
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
    const rows = await this.query<{ phoneId: number | bigint; epoch: number | bigint }>(this.sql.claimOne(this.nodeId, phoneId));
    if (!rows.length) return false;
    this.adopt(phoneId, Number(rows[0].epoch));
    return true;
  }

  /** Where a command for the phone runs now. */
  async route(phoneId: number): Promise<CommandRoute> {
    const [row] = await this.query<{ nodeId: string; epoch: number | bigint; live: number | bigint }>(this.sql.ownerOf(phoneId));
    return routeCommand(this.nodeId, row ? { nodeId: row.nodeId, live: Number(row.live) === 1 } : null);
  }

  /** Runs a command on the node that owns the phone and answers with its result. */
  forward(nodeId: string, cmd: FleetCommand): Promise<unknown> {
    const id = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new UnavailableError(`The node that owns phone ${cmd.phoneId} did not answer in time`, 'node_unavailable'));
      }, this.settings.commandTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.bus.publish(cmdChannel(nodeId), { id, from: this.nodeId, cmd } satisfies CommandRequest).catch((err) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new UnavailableError(`Could not reach the node that owns phone ${cmd.phoneId}: ${(err as Error).message}`, 'node_unavailable'));
      });
    });
  }

  private async onCommand(req: CommandRequest) {
    let reply: CommandReply;
    try {
      const result = await this.host.runLocal(req.cmd);
      reply = { id: req.id, ok: true, result: result ?? null };
    } catch (err) {
      const e = err as Error & { code?: string };
      reply = { id: req.id, ok: false, error: { name: err instanceof DomainError ? e.name : 'Error', code: err instanceof DomainError ? e.code! : 'internal', message: e.message } };
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

  /** Tells the owner of a phone (whichever node it is) that a message waits in its queue. */
  publishMessagesQueued(phoneId: number) {
    void this.bus.publish(EVENTS, { kind: 'messages', from: this.nodeId, phoneId } satisfies BusMessage).catch((err) => this.log.debug({ err }, 'messages wake-up not published'));
  }

  private onBusMessage(m: BusMessage) {
    if (!m || m.from === this.nodeId) return;
    switch (m.kind) {
      case 'events':
        for (const item of m.items) {
          if (this.owned.has(item.snapshot.phoneId)) continue; // ours now: a late event of the old owner
          if (this.remote.apply(m.from, item.snapshot, item.epoch)) this.host.onRemoteEvent(item.event);
        }
        return;
      case 'snapshots':
        for (const s of m.items) if (!this.owned.has(s.snapshot.phoneId)) this.remote.apply(m.from, s.snapshot, s.epoch);
        return;
      case 'hello': {
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

  /**
   * Drain (SIGTERM): stop claiming, close every socket without logging out, then give up the
   * phones and the lease so other nodes claim them at once (one reconnect each, no 440).
   */
  async drain(): Promise<void> {
    this.stopping = true;
    this.stopTimers();
    await this.ticking;
    await this.host.closeAll();
    try {
      await this.query(this.sql.release(this.nodeId));
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
    this.timer = null;
    this.fenceTimer = null;
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
  }
}
