// One phone's session: an explicit state machine around at most one Baileys socket. Every
// operation (start, close, restart, logout, reconnect) runs through one queue, so concurrent
// calls can never leave two sockets or a half-closed one behind.
import crypto from 'node:crypto';
import { S_WHATSAPP_NET, WAMessageStubType, type WASocket, type ConnectionState, type WAMessage, type proto } from '@whiskeysockets/baileys';
import type https from 'node:https';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { loadDbAuthState, type DbAuthState } from './auth-state';
import { classifyDecryptError, ErrorCounters, NO_MATCHING_SESSIONS, type Limits } from './decrypt-errors';
import { healthOf } from '../health/level';
import { applySignal, inForce, loadSignals, msUntilSignalsChange, noSignals, signalHealth, storedSignals, type AccountSignal, type AccountSignals } from './account-signals';
import { afterProbe, onNewSocket, RESPONSIVE, type ProbeSettings, type ProbeState } from '../health/probe-policy';
import { getHealthEvents, type HealthEvents } from '../health/events';
import { historyStateOf, isOperatorStop, type HistoryState } from '../health/history-states';
import type { EventBus } from './events';
import { trackCloseWaiters } from './close-waiters';
import { decideAfterClose } from './close-policy';
import { backoffDelay, DATABASE_RETRY } from '../retry/backoff';
import { adminLogout, closeReasonText, manualClose, parseLastClose, reason, type CloseReason, type LastClose, type ReconnectCause, type WhatsAppCloseReason } from './reasons';
import { isDatabaseUnavailable, Outbox, storeFor, type PhoneStateWrite, type SessionStore } from './store';
import { runInSessionContext, takeCause, type CauseSink } from './signal-causes';
import { sessionCaches } from './socket-caches';
import { baseSocketOptions } from './socket-options';
import type { WaVersionSource } from './wa-version';
import { engineFor, versionText, type Engine, type EngineName, type MessageKeyLike, type SenderAddresses, type SocketConfig, type WaVersion } from './engines';
import { RepairGuard } from './repair-guard';
import { createProxyAgents, proxyErrorOf, proxyHost } from './proxy';
import type { OutboundPolicy } from '../http/outbound-guard';
import { COUNTED_DECRYPT_ERROR_TYPES, isCountedDecryptKind, isRunningState, type SessionEngineEvent, type SessionErrorStats, type SessionSnapshot, type SessionState } from './types';
import type { MessageEngineSettings } from '../messages/engine';
import { phoneRepository } from '../db/phone-repository';

export interface EngineSettings {
  waWebSocketUrl: string;
  limits: Limits;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  reconnectMaxAttempts: number;
  keepAliveIntervalMs: number;
  /** pino level for Baileys' own logs */
  baileysLogLevel: string;
  /** how long a phone's proxy may take to open a tunnel (default 10 s) */
  proxyConnectTimeoutMs?: number;
  /** the most state and event writes kept per phone while the database is unreachable (default 1000) */
  outboxLimit?: number;
  /** which addresses a phone's proxy may have (internal ones refused unless allowed; issue 21.2) */
  outbound: OutboundPolicy;
  /** the message senders' pace, ack timeout and queue TTL (lib/messages; defaults when not given) */
  messages?: MessageEngineSettings;
  /** demo and test mode only: the HTTPS agent to the simulator's media host (lib/messages/media-host.ts) */
  mediaAgent?: () => Promise<https.Agent | null>;
  /** the liveness probe's policy (lib/health/probe-policy.ts); the scheduler passes each probe's timeout */
  probe?: Pick<ProbeSettings, 'failures' | 'restart'>;
  /** the engine of a phone whose row names none valid (DEFAULT_ENGINE; baileys-6 when not given) */
  defaultEngine?: EngineName;
  /** simulator mode: Baileys 7 trusts the simulator's Noise root (loopback ws:// URLs only; engines/simulator-trust.ts) */
  trustSimulatorRoot?: boolean;
  /** WA_VERSION: the WhatsApp Web version every socket announces; each engine's bundled one when not set */
  waVersion?: WaVersion | null;
  /** WA_VERSION_URL: where the version is fetched when not pinned (wa-version.ts; one per process) */
  waVersionSource?: WaVersionSource | null;
  /** the storm guard: Bad MAC / Bad Decrypt key repairs per sender per minute (REPAIRS_PER_SENDER_PER_MINUTE, default 3) */
  repairsPerSenderPerMinute?: number;
}

export const DEFAULT_REPAIRS_PER_SENDER_PER_MINUTE = 3;

const DEFAULT_PROBE: Pick<ProbeSettings, 'failures' | 'restart'> = { failures: 3, restart: true };
/** The probe: a query WhatsApp answers (the blocklist; a keep-alive ping would not do: a frozen connection may still answer those). */
const PROBE_QUERY = { tag: 'iq', attrs: { to: S_WHATSAPP_NET, type: 'get', xmlns: 'blocklist' } } as const;

/** Makes a phone's socket: the phone's engine (engines/) in production; tests may pass their own. */
export type SocketFactory = (config: SocketConfig) => WASocket;

export interface SessionDeps {
  db: Db;
  logger: Logger;
  bus: EventBus;
  settings: EngineSettings;
  /** the phone's engine's socket factory when not given */
  makeSocket?: SocketFactory;
  /** the store of `db` (storeFor) when not given */
  store?: SessionStore;
  /** told of every new socket of the phone (the messages engine listens to it) */
  onSocket?: (sock: WASocket) => void;
  /** the content of a message this phone sent, by id (Baileys resends it on a contact's retry receipt) */
  getMessage?: (messageId: string) => Promise<proto.IMessage | undefined>;
  /** where health events go (the process's, getHealthEvents(), when not given) */
  health?: HealthEvents;
}

const CLOSE_TIMEOUT_MS = 3000;

/** What a session is made with from the phone's row (what is not given is read from the row before the first socket). */
export interface SessionInitial {
  lastConnectedAt: Date | null;
  lastCloseReason: string | null;
  lastClose?: string | null;
  proxyUrl?: string | null;
  engine?: string | null;
  lid?: string | null;
  /** the stored account signals (account-signals.ts storedSignals) */
  accountSignals?: string | null;
}

export class Session {
  state: SessionState = 'idle';
  sock: WASocket | null = null;
  qr: string | null = null;
  lastConnectedAt: Date | null = null;
  /** the plain-English rendering of `lastClose` (the older string field) */
  lastCloseReason: string | null = null;
  lastClose: LastClose | null = null;
  /** the engine the phone runs (its row's `engine`); changed by setEngine */
  engine: Engine;
  /** the phone's own LID (…@lid), from the last login */
  lid: string | null = null;
  /** what WhatsApp last told the account about its standing (account-signals.ts; Baileys 7 only), kept across its sockets and stored on the phone's row */
  private signals: AccountSignals = noSignals();
  /** false until the stored signals were read from the phone's row (a restart or another node must not read the phone as healthy) */
  private signalsKnown: boolean;
  /** the storm guard of the Bad MAC / Bad Decrypt repair (repair-guard.ts) */
  private repairGuard: RepairGuard;
  /** the WhatsApp Web version the current (or last) socket announced */
  private sentVersion: WaVersion | null = null;
  /** false until the engine was read from the phone's row (a session made by startBaileys without it) */
  private engineKnown: boolean;
  private pairingCode: string | null = null;
  private auth: DbAuthState | null = null;
  private counters: ErrorCounters;
  private ops: Promise<unknown> = Promise.resolve();
  private outbox: Outbox;
  /** the latest credentials still to be saved (the database was unreachable), until they are */
  private credsRetry: Promise<void> | null = null;
  /** sockets of this generation or older may not write keys (their session is closing after a failed write) */
  private fence = 0;
  private dbLost = false;
  private failureChain: Promise<unknown> = Promise.resolve();
  private generation = 0;
  /** set once another node owns the phone: this object never opens a socket again */
  private abandoned = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** fires when a reach-out lock or a capping cycle ends while the phone is open (watchSignalEnds) */
  private signalTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private sink: CauseSink = { causes: new Map(), onConsole: (level, text) => this.log.debug({ console: level }, text) };
  private caches = sessionCaches();
  private log: Logger;
  private store: SessionStore;
  /** the phone's proxy URL (null: direct; undefined: not read from its row yet) */
  private proxyUrl: string | null | undefined;
  /** the liveness probe's state (lib/health/probe-policy.ts) */
  private probeState: ProbeState = RESPONSIVE;
  private probing = false;
  /** the history state last written (lib/health/history-states.ts); null: none yet in this process */
  private band: HistoryState | null = null;
  /** the close WhatsApp reported, until the history interval it begins is written */
  private pendingClose: CloseReason | null = null;

  constructor(
    readonly phoneId: number,
    readonly organizationId: number,
    readonly phoneJid: string,
    private deps: SessionDeps,
    initial?: SessionInitial,
  ) {
    this.counters = new ErrorCounters(deps.settings.limits);
    this.engine = engineFor(initial?.engine, deps.settings.defaultEngine);
    this.repairGuard = new RepairGuard(deps.settings.repairsPerSenderPerMinute ?? DEFAULT_REPAIRS_PER_SENDER_PER_MINUTE);
    // A test's own socket factory stands in for any engine: nothing to read.
    this.engineKnown = initial?.engine !== undefined || !!deps.makeSocket;
    this.lid = initial?.lid ?? null;
    this.signalsKnown = initial?.accountSignals !== undefined;
    if (this.signalsKnown) this.signals = loadSignals(initial?.accountSignals, Date.now());
    this.log = deps.logger.child({ phoneId, phoneJid });
    this.store = deps.store ?? storeFor(deps.db);
    this.outbox = new Outbox({
      apply: (writes) => this.store.writeSession(this.phoneId, writes),
      isUnreachable: isDatabaseUnavailable,
      limit: deps.settings.outboxLimit,
      log: this.log,
    });
    this.lastConnectedAt = initial?.lastConnectedAt ?? null;
    this.lastCloseReason = initial?.lastCloseReason ?? null;
    this.lastClose = parseLastClose(initial?.lastClose);
    this.proxyUrl = initial?.proxyUrl;
  }

  /** Runs operations one after another. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.ops.then(fn, fn);
    this.ops = next.catch(() => {});
    return next;
  }

  get running() {
    return isRunningState(this.state);
  }

  stats(): SessionErrorStats {
    return this.counters.stats();
  }

  snapshot(): SessionSnapshot {
    const stats = this.stats();
    // Only a connected session can be healthy: pairing, connecting, closed and logged out are not.
    const { health, healthReason } = healthOf(stats, this.state === 'open', !!this.probeState.unresponsiveSince, this.lastClose?.code, signalHealth(this.signals, Date.now()));
    return {
      phoneId: this.phoneId,
      organizationId: this.organizationId,
      phoneJid: this.phoneJid,
      state: this.state,
      isConnected: this.state === 'open',
      health,
      healthReason,
      stats,
      accountSignals: inForce(this.signals, Date.now()),
      qr: this.state === 'qr' ? this.qr : null,
      pairingCode: this.state === 'qr' ? this.pairingCode : null,
      lastConnectedAt: this.lastConnectedAt?.toISOString() ?? null,
      lastCloseReason: this.lastCloseReason,
      lastClose: this.lastClose,
      proxyHost: proxyHost(this.proxyUrl),
      engine: this.engine.name,
      lid: this.lid,
      waVersion: this.sentVersion ? versionText(this.sentVersion) : null,
    };
  }

  private emit(event: SessionEngineEvent) {
    this.deps.bus.emit(event);
  }

  private now() {
    return new Date().toISOString();
  }

  /** What the phone's write buffer holds and has had to drop (metrics, tests). */
  writeBacklog() {
    const o = this.outbox;
    return { waiting: o.size, unreachable: o.unreachable, droppedEvents: o.droppedEvents, coalescedStates: o.coalescedStates, droppedAbandoned: o.droppedClosed, credsPending: !!this.credsRetry };
  }

  /** Resolves when every state change so far is in the database. */
  async settled() {
    await this.ops;
    await this.failureChain;
    await this.outbox.idle();
    await this.credsRetry;
    await this.auth?.flush();
  }

  private recordEvent(type: string, fields: { sender?: string | null; count?: number | null; message?: string | null; detail?: unknown } = {}) {
    this.outbox.push({
      kind: 'event',
      data: {
        phoneId: this.phoneId,
        type,
        sender: fields.sender ?? null,
        count: fields.count ?? null,
        message: fields.message ?? null,
        detail: fields.detail === undefined ? null : JSON.stringify(fields.detail),
        uid: crypto.randomUUID(),
        at: new Date(),
      },
    });
  }

  /** Remembers why the phone closed: the structured reason and its English rendering. */
  private rememberClose(why: CloseReason) {
    this.lastClose = { ...why, at: this.now() };
    this.lastCloseReason = closeReasonText(why);
  }

  private setState(state: SessionState, why?: CloseReason, opts: { persist?: boolean; closeReason?: CloseReason } = {}) {
    const previous = this.state;
    if (previous === state && !why) return;
    this.state = state;
    if ((state === 'closed' || state === 'logged_out') && why) this.rememberClose(why);
    if (opts.closeReason) this.rememberClose(opts.closeReason); // the socket closed and is being reopened
    const text = why ? closeReasonText(why) : undefined;
    if (state === 'open') this.lastConnectedAt = new Date();
    this.watchSignalEnds();
    if (state !== 'qr') {
      this.qr = null;
      this.pairingCode = null;
    }
    this.log.info({ from: previous, to: state, reason: text }, `session ${previous} → ${state}${text ? ` (${text})` : ''}`);
    if (opts.persist !== false) {
      const data: PhoneStateWrite = { status: state };
      if (state === 'open') data.lastConnectedAt = this.lastConnectedAt!;
      if (state === 'open' && this.lid) data.lid = this.lid;
      if (state === 'closed' || state === 'logged_out' || opts.closeReason) {
        data.lastCloseReason = this.lastCloseReason;
        data.lastClose = this.lastClose ? JSON.stringify(this.lastClose) : null;
      }
      this.outbox.push({ kind: 'state', data });
      this.recordEvent(`state:${state}`, { message: text ?? null, detail: why ? { reason: why } : undefined });
      const band = historyStateOf(state, why);
      // A reconnect's interval carries the close that caused it, not "reconnecting (attempt n)".
      if (band) this.markBand(band, opts.closeReason ?? this.pendingClose ?? why ?? null);
    }
    this.emit({ type: 'state', phoneId: this.phoneId, phoneJid: this.phoneJid, state, previous, reason: text, closeReason: why, at: this.now() });
    this.emitStats();
  }

  /** WhatsApp told the account about its standing: kept, recorded, announced (`account-signal`), and the health follows. */
  private onAccountSignal(generation: number, signal: AccountSignal) {
    if (generation !== this.generation) return;
    this.signals = applySignal(this.signals, signal);
    this.watchSignalEnds();
    // Stored with the owner's fence like every write of the phone: a restart or the next owner reads it back.
    this.outbox.push({ kind: 'state', data: { accountSignals: storedSignals(this.signals) } });
    const s = this.snapshot();
    this.log.warn({ signal, health: s.health }, 'WhatsApp account signal');
    this.recordEvent(`account-signal:${signal.kind}`, { detail: signal });
    this.emit({ type: 'account-signal', phoneId: this.phoneId, phoneJid: this.phoneJid, signal, health: s.health, healthReason: s.healthReason, at: this.now() });
    this.emitStats();
  }

  /**
   * A reach-out lock or a capping cycle ends by the clock, and WhatsApp need not say so: the health
   * changes then, so the live view gets a stats event at that moment. Only while the phone is open
   * (the only time signals count); the timer never keeps the process alive.
   */
  private watchSignalEnds() {
    if (this.signalTimer) clearTimeout(this.signalTimer);
    this.signalTimer = null;
    const inMs = this.state === 'open' && !this.abandoned ? msUntilSignalsChange(this.signals, Date.now()) : null;
    if (inMs === null) return;
    // setTimeout's longest delay is about 24.8 days: a later end is reached in steps.
    const delay = Math.min(inMs + 1, 2 ** 31 - 1);
    this.signalTimer = setTimeout(() => {
      this.signalTimer = null;
      if (delay > inMs) this.emitStats();
      this.watchSignalEnds();
    }, delay);
    this.signalTimer.unref();
  }

  private emitStats() {
    const s = this.snapshot();
    this.emit({ type: 'stats', phoneId: this.phoneId, phoneJid: this.phoneJid, stats: s.stats, health: s.health, healthReason: s.healthReason, at: this.now() });
  }

  /** The phone's history moves to `band` (one interval write; nothing when it is there already). */
  private markBand(band: HistoryState, why: CloseReason | null) {
    if (band === this.band) return;
    const prev = this.band;
    this.band = band;
    this.pendingClose = null;
    const cause = band === 'open' ? null : why;
    const status = cause && 'status' in cause.params ? (cause.params.status ?? null) : null;
    this.outbox.push({ kind: 'interval', data: { state: band, prev, at: new Date(), reason: cause ? JSON.stringify(cause) : null, code: status } });
  }

  /** An operator stopped the phone: an unresponsive incident ends with it. */
  private endIncidentOnStop() {
    const since = this.probeState.unresponsiveSince;
    this.probeState = RESPONSIVE;
    if (since) this.health.emit({ type: 'phone-recovered', ...this.ref(), since, how: 'stopped' });
  }

  private get health(): HealthEvents {
    return this.deps.health ?? getHealthEvents();
  }

  private ref(at = this.now()) {
    return { phoneId: this.phoneId, organizationId: this.organizationId, phoneJid: this.phoneJid, at };
  }

  /**
   * One liveness probe (lib/health/prober.ts calls it for open phones): a query WhatsApp must
   * answer within `timeoutMs`. Its outcome goes through the probe policy; a probe whose socket
   * went away meanwhile counts for nothing. Never rejects.
   */
  async probe(timeoutMs: number): Promise<void> {
    const sock = this.sock;
    if (!sock || this.state !== 'open' || this.probing || this.abandoned) return;
    this.probing = true;
    const generation = this.generation;
    let ok = true;
    try {
      await sock.query(structuredClone(PROBE_QUERY) as unknown as Parameters<WASocket['query']>[0], timeoutMs);
    } catch {
      ok = false;
    } finally {
      this.probing = false;
    }
    if (generation !== this.generation || this.sock !== sock || this.state !== 'open') return;
    this.onProbe(ok);
  }

  /** Another sign of life or its absence on the open socket (a sent message's server ack, or none in time): counted like a probe. */
  livenessSignal(answered: boolean) {
    if (!this.sock || this.state !== 'open' || this.abandoned) return;
    this.onProbe(answered);
  }

  private onProbe(ok: boolean) {
    const policy = this.deps.settings.probe ?? DEFAULT_PROBE;
    const now = this.now();
    const { state, decision } = afterProbe(this.probeState, ok, policy, now);
    const wasUnresponsive = !!this.probeState.unresponsiveSince;
    this.probeState = state;
    switch (decision.action) {
      case 'none':
        return;
      case 'unresponsive': {
        const { failures, restart, afterRestart } = decision;
        this.log.warn({ failures, restart, afterRestart }, `unresponsive: ${failures} probes in a row got no answer${restart ? ': restarting it' : afterRestart ? ' (still, after a restart)' : ''}`);
        this.recordEvent('health:unresponsive', { count: failures, detail: { restart, afterRestart } });
        this.health.emit({ type: 'phone-unresponsive', ...this.ref(now), failures, afterRestart, restarting: restart });
        if (!wasUnresponsive) this.emitStats();
        if (restart) this.restartUnresponsive(failures);
        return;
      }
      case 'recovered':
        this.log.info({ since: decision.since }, 'responsive again: a probe was answered');
        this.recordEvent('health:recovered', { detail: { since: decision.since } });
        this.health.emit({ type: 'phone-recovered', ...this.ref(), since: decision.since, how: 'probe-ok' });
        this.emitStats();
        return;
    }
  }

  /** The console's one restart of an unresponsive phone: a drop in its history, then a new socket. */
  private restartUnresponsive(failures: number) {
    this.emit({ type: 'restart', phoneId: this.phoneId, phoneJid: this.phoneJid, at: this.now() });
    void this.run(async () => {
      if (!this.sock || this.state !== 'open') return; // closed or replaced meanwhile
      await this.closeSocket(reason('unresponsive', { failures }), 'connecting');
      this.attempts = 0;
      await this.openSocket();
    }).catch((err) => this.log.error({ err }, 'restart of an unresponsive phone failed'));
  }

  private resetCounters() {
    this.counters.reset();
    this.sink.causes.clear();
    this.log.info(`error counters reset for organizationPhoneId: ${this.phoneId}`);
  }

  start(): Promise<void> {
    return this.run(async () => {
      this.attempts = 0;
      this.dbLost = false;
      if (this.sock) return;
      this.resetCounters();
      await this.openSocket();
    });
  }

  /**
   * Pairing by phone number instead of QR: asks WhatsApp to link this phone's number and returns
   * the 8-character code the user types on the phone (WhatsApp → Linked devices → Link with phone
   * number). Only while the session is pairing (state `qr`); null otherwise.
   */
  requestPairingCode(): Promise<string | null> {
    return this.run(async () => {
      if (this.state !== 'qr' || !this.sock) return null;
      const raw = await this.sock.requestPairingCode(this.phoneJid.split('@')[0]);
      const code = `${raw.slice(0, 4)}-${raw.slice(4)}`;
      this.pairingCode = code;
      this.log.info('pairing code requested');
      this.recordEvent('pairing-code');
      this.emit({ type: 'pairing-code', phoneId: this.phoneId, phoneJid: this.phoneJid, pairingCode: code, at: this.now() });
      return code;
    });
  }

  /** Force close: no reconnect afterwards until start() is called again. */
  close(why: CloseReason = manualClose()): Promise<{ alreadyClosed: boolean }> {
    return this.run(() => {
      if (isOperatorStop(why)) this.endIncidentOnStop();
      return this.closeSocket(why, 'closed');
    });
  }

  /** Close, wait for the socket to be really closed, start again. */
  restart(): Promise<void> {
    this.emit({ type: 'restart', phoneId: this.phoneId, phoneJid: this.phoneJid, at: this.now() });
    return this.run(async () => {
      await this.closeSocket(reason('restart'), 'closed');
      this.attempts = 0;
      await this.openSocket();
      this.log.info('session restarted');
    });
  }

  /**
   * A new proxy (or none): a running socket is closed and opened again through it; a stopped one
   * uses it at its next start. Returns whether the socket was restarted.
   */
  setProxy(proxyUrl: string | null): Promise<boolean> {
    return this.run(async () => {
      this.proxyUrl = proxyUrl;
      if (!this.sock && !this.reconnectTimer) return false;
      this.emit({ type: 'restart', phoneId: this.phoneId, phoneJid: this.phoneJid, at: this.now() });
      await this.closeSocket(reason('proxy_changed'), 'closed');
      this.attempts = 0;
      await this.openSocket();
      return true;
    });
  }

  /**
   * Moves the phone to another engine (its row already says so). A running socket is closed and
   * opened again on the new engine with the same credentials; returns whether it was.
   */
  setEngine(name: EngineName): Promise<boolean> {
    return this.run(async () => {
      this.engineKnown = true;
      if (name === this.engine.name) return false;
      this.engine = engineFor(name);
      if (!this.sock && !this.reconnectTimer) return false;
      this.emit({ type: 'restart', phoneId: this.phoneId, phoneJid: this.phoneJid, at: this.now() });
      await this.closeSocket(reason('engine_changed', { engine: name }), 'closed');
      this.attempts = 0;
      await this.openSocket();
      return true;
    });
  }

  /** Logs out at WhatsApp when connected, clears the auth state, marks the phone logged out. */
  logout(why: CloseReason = adminLogout()): Promise<void> {
    return this.run(async () => {
      if (isOperatorStop(why)) this.endIncidentOnStop();
      if (this.sock && this.state === 'open') {
        // The logout closes the socket with 401: that close was asked for, not WhatsApp's doing,
        // so the close policy must not see it (it would record "logged out by WhatsApp").
        this.generation++;
        await this.sock.logout(closeReasonText(why)).catch((err) => this.log.warn({ err }, 'logout request failed'));
      }
      await this.closeSocket(why, 'logged_out');
      await this.clearAuth();
    });
  }

  /** Shutdown: close the socket without logging out and without changing the stored status. */
  shutdown(why: CloseReason = reason('shutdown')): Promise<void> {
    return this.run(() => this.stopHere(why));
  }

  /** Closes the socket without logging out; the status stays (the phone starts again with the process), its history says stopped. */
  private async stopHere(why: CloseReason) {
    await this.closeSocket(why, 'closed', { persist: false });
    if (this.band && this.band !== 'stopped' && !this.abandoned) this.markBand('stopped', why);
  }

  /**
   * Rebalancing hands the phone to another node: closed like a shutdown (the stored status stays,
   * so the next owner starts it), but the reason is stored so the row and a page loaded later say
   * who let it go; the new owner keeps it, as a reconnect keeps a close reason, and the page reads
   * "moved to node X". A write like any other of the phone: fenced with this node's epoch, and
   * made before the fleet releases the owner row (a stale node's write is refused).
   */
  handOver(why: CloseReason): Promise<void> {
    return this.run(async () => {
      await this.stopHere(why);
      this.rememberClose(why);
      this.outbox.push({ kind: 'state', data: { lastCloseReason: this.lastCloseReason, lastClose: JSON.stringify(this.lastClose) } });
    });
  }

  private async clearAuth() {
    const auth = this.auth ?? (await this.loadAuth());
    await auth.clear();
    this.auth = null;
  }

  private clearReconnect() {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  /**
   * Ownership moved to another node (or this node lost its lease): the socket goes at once,
   * outside the operation queue; nothing is written (the database would refuse it) and nothing
   * queued may open a socket again. The new owner reports the phone's state from now on.
   */
  async abandon(why: CloseReason): Promise<void> {
    this.abandoned = true;
    // Its buffered state and event writes (kept through an outage) are dropped, not applied after
    // the writes of the session that runs the phone next (issue 21.7).
    this.outbox.close();
    this.clearReconnect();
    this.generation++;
    if (this.signalTimer) clearTimeout(this.signalTimer);
    this.signalTimer = null;
    const sock = this.sock;
    this.sock = null;
    this.state = 'closed';
    this.rememberClose(why);
    this.log.warn({ reason: why }, `session abandoned: ${this.lastCloseReason}`);
    if (sock) await endSocket(sock);
  }

  private async openSocket() {
    this.clearReconnect();
    if (this.sock || this.abandoned) return;
    this.auth ??= await this.loadAuth();
    const auth = this.auth;
    if (this.proxyUrl === undefined || !this.engineKnown || !this.signalsKnown) {
      const row = await phoneRepository(this.deps.db).connectionSettings(this.phoneId);
      if (this.proxyUrl === undefined) this.proxyUrl = row?.proxyUrl ?? null;
      if (!this.signalsKnown) {
        this.signals = loadSignals(row?.accountSignals, Date.now());
        this.signalsKnown = true;
      }
      if (!this.engineKnown) {
        this.engine = engineFor(row?.engine, this.deps.settings.defaultEngine);
        this.lid ??= row?.lid ?? null;
        this.engineKnown = true;
      }
    }
    // Demo and test mode: WhatsApp's media hosts are the simulator's (lib/messages/media-host.ts).
    const mediaAgent = this.deps.settings.mediaAgent
      ? await this.deps.settings.mediaAgent().catch((err) => {
          this.log.warn({ err }, 'the simulator\'s media host is unknown: media will not be sent or received');
          return null;
        })
      : null;
    if (this.abandoned || this.sock) return; // abandoned (or started) while loading
    // A socket is opened only by the phone's owner at the epoch its writes carry, checked right
    // now (a start, a command, a reconnect alike): a node that lost the phone, or was paused past
    // its lease, never connects over the new owner (the store tells the fleet, which abandons it).
    let holds: boolean;
    try {
      holds = await this.store.holdsPhone(this.phoneId);
    } catch (err) {
      this.log.warn({ err }, 'could not check the phone\'s owner before connecting: trying again later');
      if (!this.abandoned && !this.sock) this.scheduleReconnect(this.attempts + 1, this.deps.settings.reconnectBaseMs, reason('database_unreachable'));
      return;
    }
    if (!holds || this.abandoned || this.sock) return;
    const generation = ++this.generation;
    this.dbLost = false;
    this.probeState = onNewSocket(this.probeState);
    // The keys this socket sees. Once it is no longer the session's socket (closed, replaced,
    // abandoned), its late work (a retry receipt Baileys does not await, a decrypt in flight)
    // reads nothing and writes nothing: none of it can be acknowledged any more, it can never
    // overwrite what the next socket stores, and it never touches a database the process let go
    // of (a rejection there would surface as an unhandled rejection inside Baileys). While it is
    // current but its session is closing after a failed write, its writes are refused, so
    // Baileys' transaction fails and nothing is acknowledged.
    const current = () => generation === this.generation;
    const keys: typeof auth.state.keys = {
      get: (type, ids) => (current() ? auth.state.keys.get(type, ids) : Promise.resolve({})),
      set: (data) => {
        if (!current()) return Promise.resolve();
        return generation <= this.fence ? Promise.reject(new Error('key writes of a closing socket are refused')) : auth.state.keys.set(data);
      },
    };
    this.setState('connecting');
    const { settings } = this.deps;
    // Every connection of the phone goes through its proxy: the WebSocket, media and other fetches.
    const proxy = this.proxyUrl ? createProxyAgents(this.proxyUrl, { connectTimeoutMs: settings.proxyConnectTimeoutMs, outbound: settings.outbound }) : null;
    if (proxy) this.log.info({ proxy: proxyHost(this.proxyUrl) }, `connecting through proxy ${proxy.host}`);
    // Pinned (WA_VERSION), else fetched (WA_VERSION_URL, cached; the last known or bundled one when the fetch fails), else the engine's own.
    const version = settings.waVersion ?? (settings.waVersionSource ? (await settings.waVersionSource.current(this.engine.bundledVersion)).version : this.engine.bundledVersion);
    if (generation !== this.generation || this.abandoned) return; // closed while the version was fetched
    const config: SocketConfig = {
        ...baseSocketOptions(settings),
        version,
        auth: { creds: auth.state.creds, keys },
        logger: this.log.child({ class: 'baileys' }, { level: settings.baileysLogLevel }) as never,
        ...(this.caches as unknown as Pick<SocketConfig, 'msgRetryCounterCache'>),
        ...(mediaAgent ? ({ fetchAgent: mediaAgent, options: { httpsAgent: mediaAgent } } as unknown as Pick<SocketConfig, 'agent'>) : {}),
        ...(proxy ? ({ agent: proxy.agent, fetchAgent: proxy.fetchAgent, options: proxy.options } as unknown as Pick<SocketConfig, 'agent'>) : {}),
        // What a contact could not decrypt is sent again (retry receipt) from the stored message.
        ...(this.deps.getMessage ? { getMessage: (key: { id?: string | null }) => this.deps.getMessage!(key.id ?? '') } : {}),
    };
    // Made inside the session's context, so libsignal's causes and console output land here.
    const testFactory = this.deps.makeSocket;
    const sock = await runInSessionContext(this.sink, () =>
      testFactory ? Promise.resolve(testFactory(config)) : this.engine.makeSocket(config, { trustSimulatorRoot: settings.trustSimulatorRoot === true }),
    );
    if (generation !== this.generation || this.abandoned || this.sock) {
      // closed, abandoned or replaced while the engine was loading: this socket is not wanted
      await endSocket(sock);
      return;
    }
    this.sentVersion = version;
    this.sock = sock;
    const waiters = trackCloseWaiters(sock);
    sock.ev.on('connection.update', (update) => {
      if (update.connection === 'close') waiters.release();
    });
    sock.ev.on('creds.update', () => this.saveCreds(auth));
    sock.ev.on('connection.update', (update) => this.onConnectionUpdate(generation, sock, update));
    sock.ev.on('messages.upsert', ({ messages }) => this.onMessages(generation, messages));
    this.engine.watchAccountSignals(sock, (signal) => this.onAccountSignal(generation, signal));
    this.deps.onSocket?.(sock);
  }

  private loadAuth() {
    return loadDbAuthState(this.store, this.phoneId, { onError: (err, op) => this.onAuthError(err, op) });
  }

  /** Saves the credentials; while the database is unreachable, the latest are saved once it is back. */
  private saveCreds(auth: DbAuthState) {
    if (this.credsRetry) return; // the retry saves the latest credentials
    auth.saveCreds().catch((err) => {
      if (!isDatabaseUnavailable(err)) return this.log.error({ err }, 'failed to save credentials');
      if (this.credsRetry) return;
      this.log.warn({ err }, 'database unreachable: credentials will be saved when it is back');
      this.credsRetry = (async () => {
        for (let attempt = 0; ; attempt++) {
          await new Promise((r) => setTimeout(r, backoffDelay(attempt + 1, DATABASE_RETRY)));
          // Abandoned meanwhile: the phone's next session saves its own credentials; these are older.
          if (this.abandoned) return;
          try {
            await auth.saveCreds();
            this.log.info('credentials saved after the database came back');
            return;
          } catch (retryErr) {
            if (!isDatabaseUnavailable(retryErr)) return this.log.error({ err: retryErr }, 'failed to save credentials');
          }
        }
      })().finally(() => (this.credsRetry = null));
    });
  }

  /**
   * A key read or write failed. Key writes stay synchronous (durable before Baileys acknowledges
   * a message), so while the database is unreachable the session cannot go on: it closes itself
   * cleanly and reconnects once the database answers again.
   */
  private onAuthError(err: unknown, op: 'read' | 'keys' | 'creds') {
    if (op === 'creds' || !isDatabaseUnavailable(err) || this.dbLost || !this.sock) return;
    this.dbLost = true;
    this.fence = this.generation;
    this.log.warn({ err, op }, 'database unreachable during a key ' + (op === 'read' ? 'read' : 'write') + ': closing the session until it is back');
    void this.run(async () => {
      if (!this.sock || !this.dbLost) return; // closed or replaced meanwhile
      await this.closeSocket(reason('database_unreachable'), 'connecting');
      this.waitForDatabase(0);
    });
  }

  private waitForDatabase(attempt: number) {
    const delayMs = backoffDelay(attempt + 1, DATABASE_RETRY);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.store.ping().then(
        () => {
          this.log.info('database reachable again: reconnecting');
          void this.run(async () => {
            if (this.sock || this.state !== 'connecting') return; // started, closed or replaced meanwhile
            await this.openSocket();
          }).catch((err) => {
            this.log.warn({ err }, 'reconnect after the database outage failed: waiting again');
            this.waitForDatabase(0);
          });
        },
        () => this.waitForDatabase(attempt + 1),
      );
    }, delayMs);
  }

  private async closeSocket(why: CloseReason, finalState: 'closed' | 'logged_out' | 'connecting', opts: { persist?: boolean } = {}): Promise<{ alreadyClosed: boolean }> {
    this.clearReconnect();
    const sock = this.sock;
    if (!sock) {
      const alreadyClosed = this.state === 'closed' || this.state === 'logged_out' || this.state === 'idle';
      if (!alreadyClosed || finalState !== this.state) this.setState(finalState, why, opts);
      return { alreadyClosed };
    }
    this.log.info({ reason: why }, `closing session: ${closeReasonText(why)}`);
    this.setState('closing', why, opts);
    this.generation++; // events of this socket are ours to handle now, not the close policy's
    this.sock = null;
    await endSocket(sock);
    this.log.info('WebSocket closed');
    this.resetCounters();
    this.setState(finalState, why, opts);
    return { alreadyClosed: false };
  }

  private onConnectionUpdate(generation: number, sock: WASocket, update: Partial<ConnectionState>) {
    if (generation !== this.generation) return;
    if (update.qr) {
      this.qr = update.qr;
      this.setState('qr', undefined, { persist: this.state !== 'qr' });
      this.emit({ type: 'qr', phoneId: this.phoneId, phoneJid: this.phoneJid, qr: update.qr, at: this.now() });
    }
    if (update.connection === 'open') {
      const me = sock.user?.id ?? '';
      const pairedUser = me.split('@')[0].split(':')[0];
      const expected = this.phoneJid.split('@')[0];
      if (pairedUser && pairedUser !== expected) {
        const why = reason('paired_other_number', { paired: pairedUser, expected });
        this.log.warn(closeReasonText(why));
        void this.logout(why);
        return;
      }
      this.attempts = 0;
      // The phone's own LID: WhatsApp announces it at login (<success lid=…>), both engines keep it in `me`.
      const lid = (sock.user as { lid?: string } | undefined)?.lid ?? (this.auth?.state.creds.me as { lid?: string } | undefined)?.lid ?? null;
      if (lid) this.lid = lid.replace(/:\d+@/, '@');
      this.log.info('connected');
      this.setState('open');
    }
    if (update.connection === 'close') {
      this.sock = null;
      this.generation++;
      const err = update.lastDisconnect?.error as { output?: { statusCode?: number }; message?: string } | undefined;
      // A proxy that refused, timed out or rejected the credentials: say so; the reconnect policy applies.
      const proxyError = proxyErrorOf(err);
      const code = proxyError ? undefined : err?.output?.statusCode;
      const message = proxyError?.message ?? err?.message ?? 'connection closed';
      this.log.info({ statusCode: code, message }, 'WebSocket closed');
      const why: WhatsAppCloseReason = proxyError ? reason('proxy_failed', { kind: proxyError.kind, detail: proxyError.message }) : this.engine.closeReason(code, message, this.sentVersion ?? this.engine.bundledVersion);
      // WhatsApp refused the version: the next socket fetches a new one (when fetched at all).
      if (why.code === 'version_outdated' && this.sentVersion) this.deps.settings.waVersionSource?.refused(this.sentVersion);
      this.pendingClose = why;
      void this.run(() => this.afterUnexpectedClose(code, why));
    }
  }

  /** Applies the close policy (close-policy.ts) to a close we did not ask for. */
  private async afterUnexpectedClose(code: number | undefined, why: WhatsAppCloseReason) {
    if (this.sock) return; // something (start/restart) already replaced it
    const decision = decideAfterClose({ code, reason: why, state: this.state, attempts: this.attempts }, this.deps.settings);
    switch (decision.action) {
      case 'reopen':
        this.log.info('restart required by WhatsApp: reconnecting now');
        await this.openSocket();
        return;
      case 'logged-out':
        this.setState('logged_out', decision.reason);
        await this.clearAuth();
        return;
      case 'close':
        this.setState('closed', decision.reason);
        return;
      case 'reconnect':
        this.scheduleReconnect(decision.attempt, decision.delayMs, decision.reason);
        return;
    }
  }

  private scheduleReconnect(attempt: number, delayMs: number, last: ReconnectCause) {
    this.attempts = attempt;
    this.log.warn({ attempt, delayMs, reason: last }, 'connection lost: reconnecting with backoff');
    this.setState('connecting', reason('reconnecting', { attempt, last }), { persist: true, closeReason: last });
    this.emit({ type: 'reconnect', phoneId: this.phoneId, phoneJid: this.phoneJid, attempt, delayMs, at: this.now() });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.run(() => this.openSocket());
    }, delayMs);
  }

  private onMessages(generation: number, messages: WAMessage[]) {
    if (generation !== this.generation) return;
    for (const msg of messages) {
      if (msg.messageStubType !== WAMessageStubType.CIPHERTEXT) continue;
      const text = String(msg.messageStubParameters?.[0] ?? '');
      // Both of the sender's addresses where the engine knows them (engine 7: key.…Alt; 6.7: sender_pn).
      const addresses = this.engine.senderAddresses(msg.key as MessageKeyLike);
      const sender = addresses.sender;
      // Read the cause now: it was recorded synchronously before this event.
      const cause = text.includes(NO_MATCHING_SESSIONS) && sender ? takeCause(this.sink, sender) : null;
      this.failureChain = this.failureChain
        .then(() => this.onDecryptFailure(generation, text, addresses, cause))
        .catch((err) => this.log.error({ err }, 'failed to handle a decryption failure'));
    }
  }

  /** Whether the sender's other address (its LID for a phone-number sender, and back) holds a Signal session. */
  private async sessionUnderOtherAddress(a: SenderAddresses): Promise<boolean> {
    if (!a.sender || !a.pn || !a.lid || !this.auth) return false;
    const other = a.sender === a.lid ? a.pn : a.lid;
    const device = a.sender.split('@')[0].split(':')[1] ?? '0';
    const user = other.split('@')[0].split(':')[0];
    // A number's Signal address is `user.device`; a LID's is `user_1.device` on Baileys 7 (domain
    // type 1) and `user.device` on 6.7, which does not tell the domains apart.
    const ids = other.endsWith('@lid') ? [`${user}_1.${device}`, `${user}.${device}`] : [`${user}.${device}`];
    const found = await this.auth.state.keys.get('session', ids);
    return ids.some((id) => !!found[id]);
  }

  /**
   * The sender's other address from the stored lid-mapping, when the message did not carry it
   * (Baileys 7 keeps `lid-mapping` keys, learnt from usync or earlier envelopes; 6.7 keeps none).
   * Read from the store only: no query to WhatsApp per failure.
   */
  private async storedOtherAddress(a: SenderAddresses): Promise<string | null> {
    // 6.7 keeps no mapping: no read per failure (a storm of Bad MACs stays one write each).
    if (!a.sender || (a.pn && a.lid) || !this.auth || !this.engine.extraKeyTypes.includes('lid-mapping')) return null;
    const [userPart] = a.sender.split('@');
    const [user, device] = userPart.split(':');
    const suffix = device ? `:${device}` : '';
    const fromLid = a.sender.endsWith('@lid');
    const id = fromLid ? `${user}_reverse` : user;
    const other = (await this.auth.state.keys.get('lid-mapping' as never, [id]))[id] as unknown;
    if (typeof other !== 'string' || !other) return null;
    return fromLid ? `${other}${suffix}@s.whatsapp.net` : `${other}${suffix}@lid`;
  }

  private async onDecryptFailure(generation: number, text: string, carried: SenderAddresses, senderCause: string | null) {
    if (generation !== this.generation) return;
    const { sender } = carried;
    // Baileys 7 decrypts a number's message under the contact's LID once it knows the mapping
    // (its session moved there): libsignal's cause is then recorded at the LID's address.
    const mapped = await this.storedOtherAddress(carried).catch(() => null);
    const addresses: SenderAddresses = mapped ? { ...carried, ...(mapped.endsWith('@lid') ? { lid: mapped } : { pn: mapped }) } : carried;
    let cause = senderCause;
    let decryptedUnder = sender;
    if (!cause && mapped && text.includes(NO_MATCHING_SESSIONS)) {
      cause = takeCause(this.sink, mapped);
      if (cause) decryptedUnder = mapped;
    }
    let kind = classifyDecryptError(text, cause);
    // A good session under the sender's other address: nothing is corrupt, the mapping repairs it;
    // deleting keys would destroy that session, and counting it would close a healthy phone. On 6.7
    // a contact moved to LID writes on its old session from the LID: "No session record" there.
    // "Other" is relative to the address the failure happened under; a mapping only read from the
    // store counts as known when the failure was seen there.
    const checked = decryptedUnder === sender ? carried : { ...addresses, sender: decryptedUnder };
    if ((isCountedDecryptKind(kind) || kind === 'no-session') && (await this.sessionUnderOtherAddress(checked).catch(() => false))) kind = 'pn-lid-mismatch';
    const both = { senderPn: addresses.pn, senderLid: addresses.lid };
    if (!isCountedDecryptKind(kind)) {
      this.log.warn({ sender, error: text, kind }, `decryption failed (${kind}): ${text}`);
      this.recordEvent(`decrypt:${kind}`, { sender, message: text, ...(addresses.lid ? { detail: both } : {}) });
      this.emit({ type: 'decrypt-failure', phoneId: this.phoneId, phoneJid: this.phoneJid, kind, errorType: text, sender, ...both, count: null, max: null, deletedKeys: 0, at: this.now() });
      return;
    }
    const label = COUNTED_DECRYPT_ERROR_TYPES[kind];
    const { count, max, limitReached } = this.counters.record(kind);
    this.log.warn({ sender, error: text, cause, count, max }, `${label} error #${count} (${count}/${max})`);
    // The repair: the sender's sessions under every address it has (its number and, on engine 7,
    // its LID), at most REPAIRS_PER_SENDER_PER_MINUTE times a minute per sender (the storm guard).
    const users = [...new Set([sender, addresses.pn, addresses.lid].filter((j): j is string => !!j).map((j) => j.split('@')[0].split(':')[0]))];
    const repair = users.length > 0 && !!this.auth && this.repairGuard.allow(sender ?? users[0]);
    let deleted = 0;
    if (repair) {
      for (const user of users) deleted += await this.auth!.deleteSenderSessions(user);
      this.log.info({ sender, deleted }, `deleted ${deleted} corrupted session keys for ${users.join(', ')}`);
    } else if (users.length > 0) {
      this.log.debug({ sender }, 'repair skipped: the sender is over its repairs per minute');
    }
    const skipped = users.length > 0 && !repair;
    this.recordEvent(`decrypt:${kind}`, {
      sender,
      count,
      message: cause ? `${text}: ${cause}` : text,
      detail: { max, deletedKeys: deleted, ...(skipped ? { repairSkipped: true } : {}), ...(addresses.lid ? both : {}) },
    });
    this.emit({ type: 'decrypt-failure', phoneId: this.phoneId, phoneJid: this.phoneJid, kind, errorType: label, sender, ...both, count, max, deletedKeys: deleted, at: this.now() });
    this.emitStats();
    if (limitReached) {
      const why = reason('auto_closed', { errorType: label, count, max });
      const text = closeReasonText(why);
      this.log.error({ reason: text }, 'closing session automatically');
      this.emit({ type: 'auto-closed', phoneId: this.phoneId, phoneJid: this.phoneJid, reason: text, closeReason: why, errorType: label, at: this.now() });
      void this.close(why);
    }
  }
}

/** Ends a Baileys socket and waits until its WebSocket is really closed (terminating if slow). */
async function endSocket(sock: WASocket) {
  const raw = (sock.ws as unknown as { socket?: { readyState: number; once(e: string, f: () => void): void; terminate(): void } }).socket;
  const closed =
    raw && raw.readyState !== 3
      ? new Promise<void>((resolve) => raw.once('close', () => resolve()))
      : Promise.resolve();
  try {
    sock.end(undefined);
  } catch {
    // already ended
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        raw?.terminate();
        resolve();
      }, CLOSE_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}
