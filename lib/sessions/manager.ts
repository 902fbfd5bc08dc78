// The session manager: one per process (on globalThis, so dev hot reloads and every route bundle
// share it), owning one Session per organization phone.
import { isLoopbackWebSocketUrl } from './engines/simulator-trust';
import type { EngineName } from './engines/types';
import { NotFoundError, UnavailableError } from '../errors';
import { OWNER_CHANGED, type FleetCommand, type FleetHost, type FleetMembership, type FleetOp } from './fleet-port';
import { storeFor } from './store';
import { phoneRepository, type PhoneRecord, type PhoneRepository } from '../db/phone-repository';
import { getConfig, type Config } from '../config';
import { getDb, type Db } from '../db/client';
import { getLogger, type Logger } from '../logger';
import { errorStats } from './decrypt-errors';
import { EventBus } from './events';
import { Session, type EngineSettings, type SessionInitial, type SocketFactory } from './session';
import { OutboundPolicy } from '../http/outbound-guard';
import { adminLogout, manualClose, reason, type CloseReason } from './reasons';
import { isRunningState, RUNNING_STATES, runsOnNode, type SessionEngineEvent, type SessionErrorStats, type SessionEventListener, type SessionSnapshot } from './types';
import type { WASocket } from '@whiskeysockets/baileys';
import type { ProbeTarget } from '../health/prober';
import { DEFAULT_MESSAGE_SETTINGS, MessageEngine, messageSettingsFromConfig } from '../messages/engine';
import { simulatorMediaSource } from '../messages/media-host';
import { WaVersionSource } from './wa-version';

/** A reason given as an administrator's text (or by an older node) or already structured. */
const asReason = (given: string | CloseReason | undefined, fromText: (text?: string) => CloseReason): CloseReason => (typeof given === 'object' && given ? given : fromText(given));

export class PhoneNotFoundError extends NotFoundError {
  constructor(readonly phoneId: number) {
    super('Phone not found');
  }
}

export function settingsFromConfig(config: Config): EngineSettings {
  return {
    waWebSocketUrl: config.WA_WEBSOCKET_URL,
    limits: { maxBadMacErrors: config.MAX_BAD_MAC_ERRORS, maxBadDecryptErrors: config.MAX_BAD_DECRYPT_ERRORS },
    reconnectBaseMs: config.RECONNECT_BASE_MS,
    reconnectMaxMs: config.RECONNECT_MAX_MS,
    reconnectMaxAttempts: config.RECONNECT_MAX_ATTEMPTS,
    keepAliveIntervalMs: config.KEEPALIVE_INTERVAL_MS,
    baileysLogLevel: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? config.LOG_LEVEL : 'fatal',
    proxyConnectTimeoutMs: config.PROXY_CONNECT_TIMEOUT_MS,
    outbound: new OutboundPolicy(config.OUTBOUND_ALLOW_INTERNAL),
    probe: { failures: config.PROBE_FAILURES, restart: config.PROBE_RESTART },
    messages: messageSettingsFromConfig(config),
    mediaAgent: simulatorMediaSource(config.SIMULATOR_URL),
    defaultEngine: config.DEFAULT_ENGINE,
    waVersion: config.WA_VERSION ?? null,
    // Fetched only when not pinned (wa-version.ts).
    waVersionSource:
      !config.WA_VERSION && config.WA_VERSION_URL
        ? new WaVersionSource({ url: config.WA_VERSION_URL, ttlMs: config.WA_VERSION_TTL_MS, timeoutMs: config.WA_VERSION_TIMEOUT_MS, onError: (err) => getLogger().warn({ err, url: config.WA_VERSION_URL }, 'could not fetch the WhatsApp Web version: announcing the last known (or bundled) one') })
        : null,
    repairsPerSenderPerMinute: config.REPAIRS_PER_SENDER_PER_MINUTE,
    // Demo mode (a simulator on this machine): Baileys 7 trusts the simulator's Noise root. Never
    // for a non-loopback URL (engines/simulator-trust.ts refuses that too).
    trustSimulatorRoot: !!config.SIMULATOR_URL && isLoopbackWebSocketUrl(config.WA_WEBSOCKET_URL),
  };
}

/** States in which a phone has (or is getting) a socket. */

/** How long a clean shutdown or hand-over waits for the server's ack of each phone's message in flight. */
const FINISH_SENDING_MAX_MS = 5_000;

export class SessionManager implements FleetHost {
  private sessions = new Map<number, Session>();
  readonly bus: EventBus;
  /** local events and the events of phones other nodes run (the event stream reads this) */
  readonly viewBus: EventBus;
  private readonly log: Logger;
  /** the logger the manager was given, for children of another module */
  private readonly rootLog: Logger;
  private readonly phones: PhoneRepository;
  /** this process's membership in the fleet (null: a manager on its own, as in engine tests) */
  private fleet: FleetMembership | null = null;
  /** the senders and received messages of this node's phones */
  readonly messages: MessageEngine;

  constructor(
    private readonly db: Db,
    private readonly settings: EngineSettings,
    logger: Logger,
    /** how sessions make their sockets (Baileys' makeWASocket by default) */
    private readonly makeSocket?: SocketFactory,
  ) {
    this.rootLog = logger;
    this.phones = phoneRepository(db);
    this.log = logger.child({ module: 'sessions' });
    this.bus = new EventBus((err) => this.log.error({ err }, 'session event listener failed'));
    this.viewBus = new EventBus((err) => this.log.error({ err }, 'session view listener failed'));
    this.messages = new MessageEngine({
      db,
      store: storeFor(db),
      bus: this.bus,
      log: logger.child({ module: 'messages' }),
      settings: settings.messages ?? DEFAULT_MESSAGE_SETTINGS,
      openSocket: (phoneId) => {
        const s = this.sessions.get(phoneId);
        return s?.state === 'open' ? s.sock : null;
      },
      openPhones: () => [...this.sessions.values()].filter((s) => s.state === 'open' && s.sock).map((s) => s.phoneId),
      epochOf: (phoneId) => this.fleet?.owned.get(phoneId) ?? null,
      phoneJidOf: (phoneId) => this.sessions.get(phoneId)?.phoneJid ?? null,
      liveness: (phoneId, answered) => this.sessions.get(phoneId)?.livenessSignal(answered),
    });
    this.bus.subscribe((event) => {
      // The live view says which node runs the phone (the table's node column follows it).
      this.viewBus.emit(event.type === 'state' && this.fleet ? { ...event, node: this.fleet.nodeId } : event);
      this.messages.onEngineEvent(event);
      // The snapshot only for a fleet's bus (a message's events come by the hundred per second).
      const snap = this.fleet ? this.sessions.get(event.phoneId)?.snapshot() : undefined;
      if (this.fleet && snap) this.fleet.publishEvent(event, snap);
    });
    this.messages.start();
  }

  /**
   * A message was stored for the phone: its owner sends it. Here when the phone runs here; else
   * the other nodes are told over the bus (the owner also looks at its queues every few seconds).
   */
  messageQueued(phoneId: number): void {
    this.messages.queued(phoneId);
    if (this.fleet && !this.sessions.has(phoneId)) this.fleet.publishMessagesQueued(phoneId);
  }

  onMessagesQueued(phoneId: number): void {
    this.messages.queued(phoneId);
  }

  /**
   * Makes this manager one node of a fleet (the composition root creates the fleet: lib/fleet/join.ts):
   * phones are started by claiming them (boot), commands for phones another node owns run there,
   * and every write of a phone carries its owner's epoch.
   */
  attachFleet(fleet: FleetMembership): void {
    if (this.fleet) throw new Error('this session manager is already a node of a fleet');
    this.fleet = fleet;
    storeFor(this.db).onStaleOwner((phoneId) => {
      this.log.warn({ phoneId }, 'write refused: another node owns this phone now');
      this.fleet?.owned.delete(phoneId);
      void this.abandon(phoneId, reason('moved'));
    });
  }

  /**
   * Runs a command where the phone is owned: here, on the node that owns it (its answer is
   * returned), or here after claiming it when no live node owns it.
   */
  private async command<T>(op: FleetOp, phoneId: number, args: unknown, local: () => Promise<T>): Promise<T> {
    const fleet = this.fleet;
    if (!fleet) return local();
    for (let attempt = 0; attempt < 2; attempt++) {
      const route = await fleet.route(phoneId);
      if (route.kind === 'remote') {
        try {
          return (await fleet.forward(route.nodeId, route.epoch, { op, phoneId, args })) as T;
        } catch (err) {
          // The node routed to no longer owns the phone at that epoch (it did not run it): ask again.
          if (err instanceof UnavailableError && err.code === OWNER_CHANGED) continue;
          throw err;
        }
      }
      // Nobody runs it: this node takes it (with a new epoch), so even a close is a fenced write.
      if (route.kind === 'local' || (await fleet.claimOne(phoneId))) return local();
      // Another node took it in between: ask again where it runs.
    }
    throw new UnavailableError(`Phone ${phoneId} is changing owner; try again`, 'node_unavailable');
  }

  /** A command sent by another node (or routed here): run it on this node's session. */
  runLocal(cmd: FleetCommand): Promise<unknown> {
    const id = cmd.phoneId;
    switch (cmd.op) {
      case 'start':
        return this.ensure(id).then((s) => s.start());
      case 'restart':
        return this.ensure(id).then((s) => s.restart());
      case 'close':
        return this.ensure(id).then((s) => s.close(asReason((cmd.args as { reason?: string | CloseReason } | undefined)?.reason, manualClose)));
      case 'logout':
        return this.ensure(id).then((s) => s.logout(asReason((cmd.args as { reason?: string | CloseReason } | undefined)?.reason, adminLogout)));
      case 'pairing-code':
        return this.sessions.get(id)?.requestPairingCode() ?? Promise.resolve(null);
      case 'set-proxy':
        return this.sessions.get(id)?.setProxy((cmd.args as { proxyUrl: string | null }).proxyUrl) ?? Promise.resolve(false);
      case 'set-engine':
        return this.sessions.get(id)?.setEngine((cmd.args as { engine: EngineName }).engine) ?? Promise.resolve(false);
      case 'remove':
        return this.removeLocal(id);
    }
  }

  // FleetHost: what the fleet asks of this node's sessions.
  async startOwned(phoneId: number): Promise<void> {
    await (await this.ensure(phoneId)).start();
  }

  settled(phoneId?: number): Promise<void> {
    if (phoneId === undefined) return this.settledAll();
    return new Promise<void>((resolve) => {
      const done = () => {
        unsubscribe();
        resolve();
      };
      const unsubscribe = this.bus.subscribe((e) => {
        if (e.phoneId === phoneId && e.type === 'state' && e.state !== 'connecting') done();
      });
      const state = this.sessions.get(phoneId)?.state;
      if (!state || state !== 'connecting') done();
    });
  }

  async abandon(phoneId: number, why: CloseReason): Promise<void> {
    const session = this.sessions.get(phoneId);
    this.messages.forget(phoneId);
    if (!session) return;
    this.sessions.delete(phoneId);
    await session.abandon(why);
  }

  async closeAll(why?: CloseReason): Promise<void> {
    // Messages in flight get their server ack first (bounded well inside the 15 s shutdown deadline).
    await this.messages.finishSending(FINISH_SENDING_MAX_MS);
    await Promise.all([...this.sessions.values()].map((s) => (why ? s.handOver(why) : s.shutdown())));
    await this.settledAll();
    // Receipts and messages Baileys acknowledged before the sockets closed are stored before the phones go.
    await this.messages.flush(FINISH_SENDING_MAX_MS);
  }

  /**
   * Hands one phone to another node (rebalancing): like a drain for that phone, its message in
   * flight gets its server ack first (bounded), so the next owner does not send it again; then
   * the socket closes cleanly and `why` is stored as the phone's last close (Session.handOver).
   */
  async release(phoneId: number, why: CloseReason): Promise<void> {
    const session = this.sessions.get(phoneId);
    if (!session) {
      this.messages.forget(phoneId);
      return;
    }
    try {
      await this.messages.finishPhone(phoneId, FINISH_SENDING_MAX_MS);
      await session.handOver(why);
      await session.settled(); // the stored reason too, while the fence is ours
      // What the socket acknowledged to WhatsApp before it closed is stored while the fence is ours.
      await this.messages.flush(FINISH_SENDING_MAX_MS, phoneId);
    } finally {
      this.messages.forget(phoneId);
    }
    this.sessions.delete(phoneId);
  }

  runningPhones(): number[] {
    return [...this.sessions.values()].filter((s) => s.running).map((s) => s.phoneId).sort((a, b) => a - b);
  }

  runningCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.running) n++;
    return n;
  }

  /** The phones this node should probe now: its open sessions (lib/health/prober.ts). */
  probeTargets(): ProbeTarget[] {
    const out: ProbeTarget[] = [];
    for (const s of this.sessions.values()) if (s.state === 'open' && s.sock) out.push(s);
    return out;
  }

  localSnapshots(): SessionSnapshot[] {
    return [...this.sessions.values()].map((s) => s.snapshot());
  }

  onRemoteEvent(event: SessionEngineEvent): void {
    this.viewBus.emit(event);
  }

  private session(phoneId: number, organizationId: number, phoneJid: string, initial?: SessionInitial) {
    let session = this.sessions.get(phoneId);
    if (!session) {
      const onSocket = (sock: WASocket) => this.messages.attach(phoneId, sock);
      const getMessage = (messageId: string) => this.messages.storedContent(phoneId, messageId);
      session = new Session(phoneId, organizationId, phoneJid, { db: this.db, logger: this.log, bus: this.bus, settings: this.settings, makeSocket: this.makeSocket, onSocket, getMessage }, initial);
      this.sessions.set(phoneId, session);
    }
    return session;
  }

  /** The session of a phone, created from its database row when needed. */
  async ensure(phoneId: number, known?: PhoneRecord): Promise<Session> {
    const existing = this.sessions.get(phoneId);
    if (existing) return existing;
    // The caller that just read the row hands it over, so a command reads it once.
    const phone = known?.id === phoneId ? known : await this.phones.byId(phoneId);
    if (!phone) throw new PhoneNotFoundError(phoneId);
    const session = this.session(phone.id, phone.organizationId, phone.phoneJid, phone);
    if (session.state === 'idle' && (phone.status === 'closed' || phone.status === 'logged_out')) {
      session.state = phone.status;
    }
    return session;
  }

  async startBaileys(organizationId: number, organizationPhoneId: number, phoneJid: string): Promise<void> {
    await this.command('start', organizationPhoneId, undefined, () => this.session(organizationPhoneId, organizationId, phoneJid).start());
  }

  getBaileysSock(organizationPhoneId: number): WASocket | null {
    return this.sessions.get(organizationPhoneId)?.sock ?? null;
  }

  getSessionErrorStats(organizationPhoneId: number): SessionErrorStats {
    return this.sessions.get(organizationPhoneId)?.stats() ?? errorStats(0, 0, this.settings.limits);
  }

  async forceCloseSession(organizationPhoneId: number, reason = 'Manual close', known?: PhoneRecord): Promise<{ alreadyClosed: boolean }> {
    const why = manualClose(reason);
    return this.command('close', organizationPhoneId, { reason: why }, async () => (await this.ensure(organizationPhoneId, known)).close(why));
  }

  async restartSession(organizationPhoneId: number, known?: PhoneRecord): Promise<void> {
    await this.command('restart', organizationPhoneId, undefined, async () => (await this.ensure(organizationPhoneId, known)).restart());
  }

  async start(organizationPhoneId: number, known?: PhoneRecord): Promise<void> {
    await this.command('start', organizationPhoneId, undefined, async () => (await this.ensure(organizationPhoneId, known)).start());
  }

  /** Logs the phone out; `reason` is the administrator's text or a structured reason (deleting a phone). */
  async logout(organizationPhoneId: number, reason?: string | CloseReason, known?: PhoneRecord): Promise<void> {
    const why = asReason(reason, adminLogout);
    await this.command('logout', organizationPhoneId, { reason: why }, async () => (await this.ensure(organizationPhoneId, known)).logout(why));
  }

  /**
   * The phone's proxy changed (its row already says so): a running socket moves to the new proxy
   * at once. Returns whether a socket was restarted.
   */
  /**
   * The phone's engine changed (its row already says so): a running socket is closed and opened
   * again on the new engine with the same credentials. Returns whether a socket was restarted.
   */
  async setEngine(organizationPhoneId: number, engine: EngineName): Promise<boolean> {
    return this.command('set-engine', organizationPhoneId, { engine }, async () => this.sessions.get(organizationPhoneId)?.setEngine(engine) ?? false);
  }

  async setProxy(organizationPhoneId: number, proxyUrl: string | null): Promise<boolean> {
    return this.command('set-proxy', organizationPhoneId, { proxyUrl }, async () => this.sessions.get(organizationPhoneId)?.setProxy(proxyUrl) ?? false);
  }

  /** The code to link the phone by number, or null when the session is not pairing. */
  async requestPairingCode(organizationPhoneId: number): Promise<string | null> {
    return this.command('pairing-code', organizationPhoneId, undefined, async () => this.sessions.get(organizationPhoneId)?.requestPairingCode() ?? null);
  }

  /** Forgets a phone's session (after its row was deleted), on the node that runs it. */
  async remove(organizationPhoneId: number): Promise<void> {
    await this.command('remove', organizationPhoneId, undefined, () => this.removeLocal(organizationPhoneId));
  }

  private async removeLocal(organizationPhoneId: number): Promise<void> {
    this.fleet?.remote.forget(organizationPhoneId);
    this.messages.forget(organizationPhoneId);
    const session = this.sessions.get(organizationPhoneId);
    if (!session) return;
    await session.close(reason('phone_deleted'));
    await session.settled();
    this.sessions.delete(organizationPhoneId);
  }

  /** Changes whenever anything a snapshot shows may have changed (an event, a session added or removed). */
  get changeVersion(): string {
    return `${this.bus.version}:${this.sessions.size}:${this.fleet?.remote.version ?? 0}`;
  }

  /** The live snapshot of a phone: this node's session, or what its owner last reported. */
  snapshot(organizationPhoneId: number): SessionSnapshot | null {
    return this.sessions.get(organizationPhoneId)?.snapshot() ?? this.fleet?.remote.snapshot(organizationPhoneId) ?? null;
  }

  /** Every phone's live snapshot: this node's and the other nodes'. */
  snapshots(): SessionSnapshot[] {
    const local = this.localSnapshots();
    if (!this.fleet) return local;
    const mine = new Set(local.map((s) => s.phoneId));
    return [...local, ...this.fleet.remote.snapshots().filter((s) => !mine.has(s.phoneId))];
  }

  /** The node that runs the phone (this one, or the owner another node last heard from); null when none is known. */
  ownerNode(organizationPhoneId: number): string | null {
    const state = this.snapshot(organizationPhoneId)?.state;
    if (!state || !runsOnNode(state)) return null; // closed: it runs nowhere
    if (this.sessions.has(organizationPhoneId)) return this.fleet?.nodeId ?? null;
    return this.fleet?.remote.nodeOf(organizationPhoneId) ?? null;
  }

  /** While the phone is shown `owner_lost`: when its silent owner's lease ends (ms, this node's clock); else null. */
  ownerLeaseEnd(organizationPhoneId: number): number | null {
    const node = this.fleet?.remote.nodeOf(organizationPhoneId);
    if (!node || this.snapshot(organizationPhoneId)?.state !== 'owner_lost') return null;
    return this.fleet!.leaseEndOf(node);
  }

  /** True when the phone has a socket, here or on the node that runs it. */
  isActive(organizationPhoneId: number): boolean {
    if (this.sessions.get(organizationPhoneId)?.sock) return true;
    const remote = this.fleet?.remote.snapshot(organizationPhoneId);
    return !!remote && isRunningState(remote.state);
  }

  /** What a phone's write buffer holds while the database is unreachable (null for an unknown phone). */
  writeBacklog(organizationPhoneId: number) {
    return this.sessions.get(organizationPhoneId)?.writeBacklog() ?? null;
  }

  currentQr(organizationPhoneId: number): string | null {
    return this.snapshot(organizationPhoneId)?.qr ?? null;
  }

  /** This node's engine events (webhooks, metrics counters: each node reports its own phones). */
  subscribe(listener: SessionEventListener): () => void {
    return this.bus.subscribe(listener);
  }

  /** Every phone's events, wherever it runs (the event stream). */
  subscribeView(listener: SessionEventListener): () => void {
    return this.viewBus.subscribe(listener);
  }

  /**
   * Starts the phones that were running when the process stopped: in a fleet, by claiming the
   * ones without a live owner (staggered); on its own, all of them.
   */
  async boot(): Promise<number> {
    if (this.fleet) {
      await this.fleet.start();
      this.log.info({ count: this.fleet.owned.size, nodeId: this.fleet.nodeId }, 'claimed phones that were running before');
      return this.fleet.owned.size;
    }
    const phones = await this.phones.withStatus(RUNNING_STATES);
    await Promise.all(phones.map((p) => this.session(p.id, p.organizationId, p.phoneJid, p).start().catch((err) => this.log.error({ err, phoneId: p.id }, 'failed to start phone at boot'))));
    this.log.info({ count: phones.length }, 'started phones that were running before');
    return phones.length;
  }

  /**
   * Closes every socket cleanly (no logout; stored statuses stay so the phones start again). In
   * a fleet the phones are handed to the other nodes at once.
   */
  async shutdown(): Promise<void> {
    if (this.fleet) await this.fleet.drain();
    else await this.closeAll();
  }

  /** Resolves when every session's queued work and writes are done (tests, shutdown). */
  private async settledAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.settled()));
  }
}

const holder = globalThis as unknown as { __sessionManager?: SessionManager };

/** The process-wide manager. */
export function getSessionManager(): SessionManager {
  holder.__sessionManager ??= new SessionManager(getDb(), settingsFromConfig(getConfig()), getLogger());
  return holder.__sessionManager;
}

/** For tests: use a specific manager as the process-wide one. */
export function setSessionManager(manager: SessionManager | undefined) {
  holder.__sessionManager = manager;
}
