// The session manager: one per process (on globalThis, so dev hot reloads and every route bundle
// share it), owning one Session per organization phone.
import { NotFoundError } from '../errors';
import { getConfig, type Config } from '../config';
import { getDb, type Db } from '../db/client';
import { getLogger, type Logger } from '../logger';
import { errorStats } from './decrypt-errors';
import { EventBus } from './events';
import { Session, type EngineSettings } from './session';
import type { SessionErrorStats, SessionEventListener, SessionSnapshot } from './types';
import type { WASocket } from '@whiskeysockets/baileys';

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
  };
}

export class SessionManager {
  private sessions = new Map<number, Session>();
  readonly bus: EventBus;
  private readonly log: Logger;

  constructor(
    private readonly db: Db,
    private readonly settings: EngineSettings,
    logger: Logger,
  ) {
    this.log = logger.child({ module: 'sessions' });
    this.bus = new EventBus((err) => this.log.error({ err }, 'session event listener failed'));
  }

  private session(phoneId: number, organizationId: number, phoneJid: string, initial?: { lastConnectedAt: Date | null; lastCloseReason: string | null; proxyUrl?: string | null }) {
    let session = this.sessions.get(phoneId);
    if (!session) {
      session = new Session(phoneId, organizationId, phoneJid, { db: this.db, logger: this.log, bus: this.bus, settings: this.settings }, initial);
      this.sessions.set(phoneId, session);
    }
    return session;
  }

  /** The session of a phone, created from its database row when needed. */
  async ensure(phoneId: number): Promise<Session> {
    const existing = this.sessions.get(phoneId);
    if (existing) return existing;
    const phone = await this.db.organizationPhone.findUnique({ where: { id: phoneId } });
    if (!phone) throw new PhoneNotFoundError(phoneId);
    const session = this.session(phone.id, phone.organizationId, phone.phoneJid, phone);
    if (session.state === 'idle' && (phone.status === 'closed' || phone.status === 'logged_out')) {
      session.state = phone.status;
    }
    return session;
  }

  async startBaileys(organizationId: number, organizationPhoneId: number, phoneJid: string): Promise<void> {
    await this.session(organizationPhoneId, organizationId, phoneJid).start();
  }

  getBaileysSock(organizationPhoneId: number): WASocket | null {
    return this.sessions.get(organizationPhoneId)?.sock ?? null;
  }

  getSessionErrorStats(organizationPhoneId: number): SessionErrorStats {
    return this.sessions.get(organizationPhoneId)?.stats() ?? errorStats(0, 0, this.settings.limits);
  }

  async forceCloseSession(organizationPhoneId: number, reason = 'Manual close'): Promise<{ alreadyClosed: boolean }> {
    return (await this.ensure(organizationPhoneId)).close(reason);
  }

  async restartSession(organizationPhoneId: number): Promise<void> {
    await (await this.ensure(organizationPhoneId)).restart();
  }

  async start(organizationPhoneId: number): Promise<void> {
    await (await this.ensure(organizationPhoneId)).start();
  }

  async logout(organizationPhoneId: number, reason?: string): Promise<void> {
    await (await this.ensure(organizationPhoneId)).logout(reason);
  }

  /**
   * The phone's proxy changed (its row already says so): a running socket moves to the new proxy
   * at once. Returns whether a socket was restarted.
   */
  async setProxy(organizationPhoneId: number, proxyUrl: string | null): Promise<boolean> {
    const session = this.sessions.get(organizationPhoneId);
    if (!session) return false;
    return session.setProxy(proxyUrl);
  }

  /** The code to link the phone by number, or null when the session is not pairing. */
  async requestPairingCode(organizationPhoneId: number): Promise<string | null> {
    const session = this.sessions.get(organizationPhoneId);
    if (!session) return null;
    return session.requestPairingCode();
  }

  /** Forgets a phone's session (after its row was deleted). */
  async remove(organizationPhoneId: number): Promise<void> {
    const session = this.sessions.get(organizationPhoneId);
    if (!session) return;
    await session.close('Phone deleted');
    await session.settled();
    this.sessions.delete(organizationPhoneId);
  }

  /** Changes whenever anything a snapshot shows may have changed (an event, a session added or removed). */
  get changeVersion(): string {
    return `${this.bus.version}:${this.sessions.size}`;
  }

  snapshot(organizationPhoneId: number): SessionSnapshot | null {
    return this.sessions.get(organizationPhoneId)?.snapshot() ?? null;
  }

  snapshots(): SessionSnapshot[] {
    return [...this.sessions.values()].map((s) => s.snapshot());
  }

  /** What a phone's write buffer holds while the database is unreachable (null for an unknown phone). */
  writeBacklog(organizationPhoneId: number) {
    return this.sessions.get(organizationPhoneId)?.writeBacklog() ?? null;
  }

  currentQr(organizationPhoneId: number): string | null {
    return this.sessions.get(organizationPhoneId)?.snapshot().qr ?? null;
  }

  subscribe(listener: SessionEventListener): () => void {
    return this.bus.subscribe(listener);
  }

  /** Starts the phones that were running when the process stopped. */
  async boot(): Promise<number> {
    const phones = await this.db.organizationPhone.findMany({ where: { status: { in: ['open', 'connecting', 'qr'] } } });
    await Promise.all(phones.map((p) => this.session(p.id, p.organizationId, p.phoneJid, p).start().catch((err) => this.log.error({ err, phoneId: p.id }, 'failed to start phone at boot'))));
    this.log.info({ count: phones.length }, 'started phones that were running before');
    return phones.length;
  }

  /** Closes every socket cleanly (no logout; stored statuses stay so boot() restarts them). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.shutdown()));
    await this.settled();
  }

  /** Resolves when every session's queued work and writes are done (tests, shutdown). */
  async settled(): Promise<void> {
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
