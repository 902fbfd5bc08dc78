// Webhook notifications to ERROR_WEBHOOK_URL: the seed's `session_error_warning` payload, plus
// `session_auto_closed` and `session_health_report`. Deliveries run in the background with a 5 s
// timeout and retries; each attempt is recorded; a failing receiver never blocks the engine.
// Deliveries to one URL are sent one at a time in the order they were stored; while a receiver is
// unavailable only its oldest delivery is tried, and the first one that gets through wakes the rest
// (lib/webhooks/retry.ts has the schedule). Each carries `webhook-sequence`, increasing in
// the order stored, for receivers fed by several nodes at once.
// With a secret, each attempt carries the seed-era `X-Webhook-Signature` and the Standard Webhooks
// headers (`webhook-id`, the same on every retry of one delivery; `webhook-timestamp`;
// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`): see docs/webhooks.md.
import type { AccountSignal } from '../sessions/account-signals';
import type { HealthReason } from '../health/events';
import type { HealthLevel } from '../sessions/types';
import { guardedPost, INTERNAL_ADDRESS, isOutboundRefused, type OutboundPolicy } from '../http/outbound-guard';
import crypto from 'node:crypto';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { severity } from '../sessions/decrypt-errors';
import { COUNTED_DECRYPT_ERROR_TYPES, isCountedDecryptKind, type CountedErrorType, type SessionEngineEvent } from '../sessions/types';
import type { WhatsAppCloseCode, WhatsAppCloseReason } from '../sessions/reasons';
import { givesUp, nextRetryDelay, UNAVAILABLE_STATUSES, UNAVAILABLE_FROM_STATUS, receiverUnavailable } from './retry';
import { phoneRepository } from '../db/phone-repository';
import { DIALECTS, Params, stamp, type Statement } from '../db/sql';
import { asDate, rawQuery } from '../db/raw';
import type { DbProvider } from '../db/provider';

export interface WebhookSettings {
  /** ERROR_WEBHOOK_URL (organizations may have their own endpoints besides) */
  url?: string;
  secret?: string;
  /** also send a `warning` at the first counted failure (WEBHOOK_EARLY_WARNING) */
  earlyWarning?: boolean;
  timeoutMs?: number;
  attempts?: number;
  /** the gap before a retry: 1/20 of the time the delivery has been failing, within [baseDelayMs, maxDelayMs] */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** a delivery failing for this long is given up (default a day) */
  retryForMs?: number;
  /** how often the outbox worker looks for due deliveries (besides its own wake-ups) */
  pollMs?: number;
  /** which addresses receivers may have (internal ones refused unless allowed; issue 21.2) */
  outbound: OutboundPolicy;
}

/** The WhatsApp closes a `session_closed` webhook reports (restart_required is routine: never one). */
export const SESSION_CLOSED_CODES = ['logged_out', 'replaced', 'banned', 'restricted', 'version_outdated', 'connection_lost', 'bad_session', 'proxy_failed', 'unknown'] as const satisfies readonly WhatsAppCloseCode[];
const REPORTED_CLOSES: ReadonlySet<string> = new Set(SESSION_CLOSED_CODES);

export interface SessionClosed {
  type: 'session_closed';
  phoneId: number;
  phoneJid: string;
  /** the catalogue code (lib/sessions/reasons.ts) */
  code: WhatsAppCloseCode;
  /** the same reason structured: `{ code, params }` (params.status: WhatsApp's status code) */
  closeReason: WhatsAppCloseReason;
  /** plain English, for people */
  reason: string;
  timestamp: string;
}

/**
 * A phone stopped (closed or logged out) because WhatsApp closed it: the `session_closed` payload;
 * null for every other event (a reconnect after a drop is not a close of the session).
 */
export function sessionClosedPayload(event: SessionEngineEvent): SessionClosed | null {
  if (event.type !== 'state' || (event.state !== 'closed' && event.state !== 'logged_out') || !event.closeReason) return null;
  if (event.previous === 'closing') return null; // a close the console asked for (the reason is its own)
  if (!REPORTED_CLOSES.has(event.closeReason.code)) return null;
  const closeReason = event.closeReason as WhatsAppCloseReason;
  return { type: 'session_closed', phoneId: event.phoneId, phoneJid: event.phoneJid, code: closeReason.code, closeReason, reason: event.reason ?? '', timestamp: event.at };
}

export interface AccountSignalNotice {
  type: 'account_signal';
  phoneId: number;
  phoneJid: string;
  /** what WhatsApp said (lib/sessions/account-signals.ts): a reach-out time-lock or message capping */
  signal: AccountSignal;
  /** the phone's health after it, and why */
  health: HealthLevel;
  healthReason: HealthReason | null;
  timestamp: string;
}

/** What WhatsApp told a phone's account about its standing (Baileys 7): the `account_signal` payload; else null. */
export function accountSignalPayload(event: SessionEngineEvent): AccountSignalNotice | null {
  if (event.type !== 'account-signal') return null;
  return { type: 'account_signal', phoneId: event.phoneId, phoneJid: event.phoneJid, signal: event.signal, health: event.health, healthReason: event.healthReason, timestamp: event.at };
}

export interface SessionErrorWarning {
  type: 'session_error_warning';
  phoneId: number;
  errorType: CountedErrorType;
  currentCount: number;
  maxAllowed: number;
  severity: 'critical' | 'warning';
  timestamp: string;
}

/**
 * The seed's payload, sent when the new count reaches max - 1 or more (always `critical`, the seed's
 * rule); with `earlyWarning`, also at the first counted failure while that is below max - 1, with
 * `severity: 'warning'`. Else null.
 */
export function errorWarningPayload(event: SessionEngineEvent, opts: { earlyWarning?: boolean } = {}): SessionErrorWarning | null {
  if (event.type !== 'decrypt-failure' || !isCountedDecryptKind(event.kind)) return null;
  if (event.count === null || event.max === null) return null;
  const early = opts.earlyWarning === true && event.count === 1;
  if (event.count < event.max - 1 && !early) return null;
  return {
    type: 'session_error_warning',
    phoneId: event.phoneId,
    errorType: COUNTED_DECRYPT_ERROR_TYPES[event.kind],
    currentCount: event.count,
    maxAllowed: event.max,
    severity: severity(event.count, event.max),
    timestamp: event.at,
  };
}

export function signature(body: string, secret: string): string {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * The Standard Webhooks key for a secret: a `whsec_<base64>` secret is that key (as the
 * standardwebhooks libraries read it); any other secret is used as its UTF-8 bytes (verify with
 * `new Webhook(secret, { format: 'raw' })`, or `new Webhook('whsec_' + base64(secret))`).
 */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** Standard Webhooks headers for one attempt of delivery `id` (the same id on every retry). */
export function standardWebhookHeaders(id: string, body: string, secret: string, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const sig = crypto.createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${sig}` };
}

export const newDeliveryId = () => `msg_${crypto.randomBytes(16).toString('base64url')}`;

/** "Send again": the delivery becomes pending now, with a fresh attempt budget and run of failures and the same webhook-id. */
export async function requeueDelivery(db: Db, id: number, attemptBudget: number) {
  const row = await db.webhookOutbox.findUnique({ where: { id } });
  if (!row) return null;
  return db.webhookOutbox.update({ where: { id }, data: { status: 'pending', maxAttempts: row.attempts + attemptBudget, nextAttemptAt: new Date(), failingSince: null } });
}

const CLAIM_BATCH = 20;

/** Rows no worker is sending right now (a dead worker's claim lapses). */
const unclaimed = (now: Date) => ({ OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] });
const DEFAULT_ATTEMPTS = 1000;
const DEFAULT_RETRY_FOR_MS = 24 * 3600_000;

type AttemptResult = 'delivered' | 'refused' | 'unavailable' | 'given-up';
type OutboxRow = { id: number; messageId: string; event: string; url: string; organizationId: number | null; payload: string; attempts: number; maxAttempts: number; failingSince: Date | null };
type Target = { url: string; organizationId: number | null };
type AudienceOptions = { phoneId?: number; organizationOnly?: boolean };

/** The provider a Prisma client was generated for (the dialect of the rows `prepare` builds). */
function providerOfClient(db: Db): DbProvider {
  return (db as unknown as { _activeProvider?: string })._activeProvider === 'postgresql' ? 'postgresql' : 'sqlite';
}

/**
 * A guard for prepared rows: given the statement's parameters, the SQL condition under which the
 * rows are inserted (evaluated inside the caller's transaction), e.g. "the message is not stored yet".
 */
export type RowGuard = (p: Params) => string;

export class WebhookNotifier {
  private pending = new Set<Promise<unknown>>();
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private poller: ReturnType<typeof setInterval> | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private enqueued: Promise<unknown> = Promise.resolve();
  failures = 0;
  /** deliveries this process gave up (failed for good) */
  gaveUp = 0;

  constructor(
    private settings: WebhookSettings,
    private db: Db,
    private log: Logger,
    private onFailure: () => void = () => {},
    private onGiveUp: () => void = () => {},
  ) {}

  /**
   * Starts the outbox worker: deliveries stored by this or an earlier process (a restart) that are
   * due are sent; polled every `pollMs` besides the immediate kicks on enqueue and retry.
   */
  start() {
    this.stopped = false;
    if (!this.poller) {
      this.poller = setInterval(() => this.kick(), this.settings.pollMs ?? 5000);
      this.poller.unref();
    }
    this.kick();
    return this;
  }

  /** Stops the worker (waits for attempts in flight; pending rows stay for the next start). */
  async stop() {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => {});
    return p;
  }

  /**
   * The outbox rows of a delivery, for the caller to insert in its own transaction together with
   * what the delivery reports (a received message and its webhook commit together or not at all:
   * no crash can fall between them). Reads the audience's endpoints now; inserts nothing. With
   * `when`, the rows are inserted only where that condition holds inside the transaction. After
   * the commit, call wake(). Empty when the audience has no endpoint.
   */
  async prepare(event: string, payload: object, opts: AudienceOptions & { when?: RowGuard } = {}): Promise<Statement[]> {
    const targets = await this.targets(opts);
    const body = JSON.stringify(payload);
    const out: Statement[] = [];
    for (const target of targets) out.push(this.insertRow(event, body, target, await this.waitBehind(target.url), opts.when));
    return out;
  }

  /** Prepared rows were committed: the worker sends them now (besides its poll). */
  wake() {
    this.kick();
  }

  /**
   * One outbox row as an INSERT … SELECT … WHERE (the guard, or always). Parameters are cast, since
   * PostgreSQL cannot type a bare parameter in a SELECT list.
   */
  private insertRow(event: string, body: string, target: Target, nextAttemptAt: Date, when?: RowGuard): Statement {
    const provider = providerOfClient(this.db);
    const p = new Params(DIALECTS[provider]);
    const pg = provider === 'postgresql';
    const as = (value: unknown, type: 'TEXT' | 'INTEGER' | 'TIMESTAMP(3)') => (pg ? `CAST(${p.add(value)} AS ${type})` : p.add(value));
    const now = stamp();
    const cols: [string, string][] = [
      ['messageId', as(newDeliveryId(), 'TEXT')],
      ['event', as(event, 'TEXT')],
      ['url', as(target.url, 'TEXT')],
      ['organizationId', as(target.organizationId, 'INTEGER')],
      ['payload', as(body, 'TEXT')],
      ['status', as('pending', 'TEXT')],
      ['attempts', as(0, 'INTEGER')],
      ['maxAttempts', as(this.settings.attempts ?? DEFAULT_ATTEMPTS, 'INTEGER')],
      ['nextAttemptAt', as(nextAttemptAt, 'TIMESTAMP(3)')],
      ['createdAt', as(now, 'TIMESTAMP(3)')],
      ['updatedAt', as(now, 'TIMESTAMP(3)')],
    ];
    const guard = when ? ` WHERE ${when(p)}` : '';
    return {
      sql: `INSERT INTO "WebhookOutbox" (${cols.map(([c]) => `"${c}"`).join(', ')}) SELECT ${cols.map(([, v]) => v).join(', ')}${guard}`,
      params: p.values,
    };
  }

  /**
   * Stores a delivery in the outbox (for ERROR_WEBHOOK_URL and, with `phoneId`, the phone's
   * organization endpoint) and wakes the worker. Never throws, never awaits the receiver.
   */
  send(event: string, payload: object, opts: AudienceOptions = {}) {
    // One after another, so the outbox (and each receiver) has them in the order they were sent.
    const p = this.enqueued.then(() => this.enqueue(event, payload, opts)).catch((err) => this.log.error({ err, event }, 'webhook enqueue failed'));
    this.enqueued = p;
    this.track(p);
  }

  /**
   * Stores a delivery for exactly one audience: ERROR_WEBHOOK_URL (`organizationId: null`) or that
   * organization's endpoint. Resolves to false when that audience has no endpoint (alerts).
   */
  sendTo(event: string, payload: object, target: { organizationId: number | null }): Promise<boolean> {
    // In the same line as send(), so the outbox keeps the order they were sent in.
    const p = this.enqueued.then(async () => {
      let url: string | null | undefined = this.settings.url;
      if (target.organizationId !== null) {
        const org = await this.db.organization.findUnique({ where: { id: target.organizationId }, select: { webhookUrl: true } });
        url = org?.webhookUrl;
      }
      if (!url) return false;
      await this.store(event, JSON.stringify(payload), [{ url, organizationId: target.organizationId }]);
      return true;
    });
    this.enqueued = p.catch(() => {});
    this.track(p);
    return p;
  }

  /** Who gets a delivery: ERROR_WEBHOOK_URL (unless organizationOnly) and, with phoneId, the phone's organization endpoint. */
  private async targets(opts: AudienceOptions): Promise<Target[]> {
    const targets: Target[] = [];
    // Message content goes to the phone's organization only, never to the operators' ERROR_WEBHOOK_URL.
    if (this.settings.url && !opts.organizationOnly) targets.push({ url: this.settings.url, organizationId: null });
    if (opts.phoneId !== undefined) {
      const endpoint = await phoneRepository(this.db).organizationEndpoint(opts.phoneId);
      if (endpoint?.webhookUrl) targets.push({ url: endpoint.webhookUrl, organizationId: endpoint.organizationId });
    }
    return targets;
  }

  /** When a new delivery to `url` is due: now, or behind a receiver that is down, just after its oldest delivery's next attempt. */
  private async waitBehind(url: string): Promise<Date> {
    // unavailableWhere() as SQL, run on the driver: every received message's webhook reads it
    // (Prisma compiles each query anew; issue 24's inbound rate).
    const p = new Params(DIALECTS[providerOfClient(this.db)]);
    const sql = `SELECT "nextAttemptAt" FROM "WebhookOutbox" WHERE "url" = ${p.add(url)} AND "status" = 'pending' AND "attempts" > 0
      AND ("lastStatusCode" IS NULL OR "lastStatusCode" >= ${p.add(UNAVAILABLE_FROM_STATUS)} OR "lastStatusCode" IN (${UNAVAILABLE_STATUSES.map((c) => p.add(c)).join(', ')}))
      ORDER BY "id" ASC LIMIT 1`;
    const [blocked] = await rawQuery<{ nextAttemptAt: unknown }>(this.db, { sql, params: p.values });
    const blockedUntil = asDate(blocked?.nextAttemptAt);
    const now = new Date();
    return blockedUntil && blockedUntil > now ? new Date(blockedUntil.getTime() + 1) : now;
  }

  private async enqueue(event: string, payload: object, opts: AudienceOptions) {
    await this.store(event, JSON.stringify(payload), await this.targets(opts));
  }

  private async store(event: string, body: string, targets: Target[]) {
    for (const target of targets) {
      await this.db.webhookOutbox.create({
        data: {
          messageId: newDeliveryId(),
          event,
          url: target.url,
          organizationId: target.organizationId,
          payload: body,
          maxAttempts: this.settings.attempts ?? DEFAULT_ATTEMPTS,
          nextAttemptAt: await this.waitBehind(target.url),
        },
      });
    }
    if (targets.length) this.kick();
  }

  /** For tests: wait until nothing is in flight and no delivery is pending (delivered or given up). */
  async idle() {
    for (;;) {
      while (this.pending.size) await Promise.allSettled([...this.pending]);
      const left = await this.db.webhookOutbox.count({ where: { status: 'pending' } });
      if (!left && !this.pending.size) return;
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** "Send again" (requeueDelivery), then wakes the worker. */
  async redeliver(id: number) {
    const updated = await requeueDelivery(this.db, id, this.settings.attempts ?? DEFAULT_ATTEMPTS);
    if (updated) this.kick();
    return updated;
  }

  private kick() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.track(
      this.drain()
        .catch((err) => this.log.error({ err }, 'webhook outbox run failed'))
        .finally(() => {
          this.running = false;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        }),
    );
  }

  /**
   * Sends every due delivery, claiming each first so that two processes never send one twice;
   * one URL's deliveries one after another in the order stored, different URLs side by side.
   */
  private async drain() {
    for (;;) {
      const now = new Date();
      const due = await this.db.webhookOutbox.findMany({ where: { status: 'pending', nextAttemptAt: { lte: now } }, orderBy: { id: 'asc' }, take: CLAIM_BATCH });
      if (!due.length) return;
      if (await this.dueBeforeLaterOnes(due, now)) continue;
      const lease = new Date(now.getTime() + (this.settings.timeoutMs ?? 5000) + 30_000);
      const claimed = await this.claim(due, now, lease);
      const byUrl = new Map<string, OutboxRow[]>();
      for (const row of due) if (claimed.has(row.id)) byUrl.set(row.url, [...(byUrl.get(row.url) ?? []), row]);
      // The organizations' secrets once per batch, not once per delivery.
      const secrets = new Map<number, Promise<string | null | undefined>>();
      const secretOf = (organizationId: number) => {
        let s = secrets.get(organizationId);
        if (!s) secrets.set(organizationId, (s = this.db.organization.findUnique({ where: { id: organizationId }, select: { webhookSecret: true } }).then((o) => (o ? o.webhookSecret : undefined))));
        return s;
      };
      await Promise.all([...byUrl.values()].map((rows) => this.sendInOrder(rows, secretOf)));
      if (this.stopped) return;
    }
  }

  /**
   * Claims the due rows in one statement (run on the driver): a row still pending and still due
   * was claimed by no other worker since it was read (a claim moves it to its lease, in the
   * future). Returns the ids this worker claimed.
   */
  private async claim(due: OutboxRow[], now: Date, lease: Date): Promise<Set<number>> {
    const p = new Params(DIALECTS[providerOfClient(this.db)]);
    const sql = `UPDATE "WebhookOutbox" SET "nextAttemptAt" = ${p.add(lease)}, "claimedUntil" = ${p.add(lease)}
      WHERE "id" IN (${due.map((r) => p.add(r.id)).join(', ')}) AND "status" = 'pending' AND "nextAttemptAt" <= ${p.add(now)} RETURNING "id"`;
    const rows = await rawQuery<{ id: unknown }>(this.db, { sql, params: p.values });
    return new Set(rows.map((r) => Number(r.id)));
  }

  /**
   * A URL's deliveries leave in the order stored, so a never-tried delivery is due no later than a
   * later one of its URL. One stored while its receiver's oldest delivery was being tried waits
   * behind that attempt's claim (up to 35 s), which can be later than where the failed attempt
   * parks the ones stored after it. Such deliveries are made due now; returns whether any were
   * (the caller reads the due ones again).
   */
  private async dueBeforeLaterOnes(due: OutboxRow[], now: Date): Promise<boolean> {
    const lastDue = new Map<string, number>();
    for (const row of due) lastDue.set(row.url, Math.max(row.id, lastDue.get(row.url) ?? 0));
    let pulled = 0;
    for (const [url, id] of lastDue) {
      const { count } = await this.db.webhookOutbox.updateMany({
        where: { url, status: 'pending', attempts: 0, id: { lt: id }, nextAttemptAt: { gt: now }, ...unclaimed(now) },
        data: { nextAttemptAt: now },
      });
      pulled += count;
    }
    return pulled > 0;
  }

  private async sendInOrder(rows: OutboxRow[], secretOf: (organizationId: number) => Promise<string | null | undefined>) {
    for (const [i, row] of rows.entries()) {
      const result = await this.attempt(row, secretOf);
      if (result === 'unavailable') {
        // The rest of this batch goes back behind the failing delivery (parked by attempt()).
        const rest = rows.slice(i + 1).map((r) => r.id);
        const head = await this.db.webhookOutbox.findUnique({ where: { id: row.id }, select: { nextAttemptAt: true } });
        if (rest.length && head) await this.db.webhookOutbox.updateMany({ where: { id: { in: rest }, status: 'pending' }, data: { nextAttemptAt: new Date(head.nextAttemptAt.getTime() + 1), claimedUntil: null } });
        return;
      }
      if (this.stopped) {
        await this.db.webhookOutbox.updateMany({ where: { id: { in: rows.slice(i + 1).map((r) => r.id) }, status: 'pending' }, data: { nextAttemptAt: new Date(), claimedUntil: null } });
        return;
      }
    }
  }

  /** Pending deliveries that wait because their receiver was unavailable (never tried, or failed that way); waitBehind has it as SQL. */
  private unavailableWhere() {
    return {
      status: 'pending',
      attempts: { gt: 0 },
      OR: [{ lastStatusCode: null }, { lastStatusCode: { gte: UNAVAILABLE_FROM_STATUS } }, { lastStatusCode: { in: [...UNAVAILABLE_STATUSES] } }],
    };
  }

  /** `secretOf`: the organization's webhook secret (null: none; undefined: the organization is gone). */
  private async attempt(row: OutboxRow, secretOf: (organizationId: number) => Promise<string | null | undefined>): Promise<AttemptResult> {
    let secret = this.settings.secret;
    if (row.organizationId !== null) {
      const orgSecret = await secretOf(row.organizationId);
      if (orgSecret === undefined) {
        await this.db.webhookOutbox.update({ where: { id: row.id }, data: { status: 'failed', lastError: 'organization deleted', claimedUntil: null } });
        return 'given-up';
      }
      secret = orgSecret ?? undefined;
    }
    const attempt = row.attempts + 1;
    const body = row.payload;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'wa-session-console/1.0', 'x-webhook-event': row.event, 'webhook-sequence': String(row.id) };
    // A fresh timestamp per attempt (receivers refuse old ones), the same id (they de-duplicate by it).
    if (secret) Object.assign(headers, { 'x-webhook-signature': signature(body, secret) }, standardWebhookHeaders(row.messageId, body, secret));
    else Object.assign(headers, { 'webhook-id': row.messageId, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) });
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // Never a redirect (issue 21.2): a 3xx is a failed delivery, its Location is not fetched.
      statusCode = await guardedPost(row.url, { headers, body, timeoutMs: this.settings.timeoutMs ?? 5000, outbound: this.settings.outbound });
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (err) {
      error = isOutboundRefused(err) ? `refused: ${INTERNAL_ADDRESS}` : String((err as Error)?.message ?? err);
    }
    const ok = error === null;
    // The attempt's record and, when it got through, the delivery's row: statements on the driver
    // (one URL's deliveries go one at a time, so these bound a receiver's rate: issue 24's inbound).
    const p = new Params(DIALECTS[providerOfClient(this.db)]);
    const at = stamp();
    const record = `INSERT INTO "WebhookDelivery" ("event", "url", "payload", "attempt", "statusCode", "ok", "error", "durationMs", "createdAt")
      VALUES (${[row.event, row.url, body, attempt, statusCode, ok, error, Date.now() - started, at].map((v) => p.add(v)).join(', ')})`;
    await rawQuery(this.db, { sql: record, params: p.values }).catch((err) => this.log.error({ err }, 'failed to record a webhook delivery'));
    if (ok) {
      const d = new Params(DIALECTS[providerOfClient(this.db)]);
      const delivered = `UPDATE "WebhookOutbox" SET "status" = 'delivered', "attempts" = ${d.add(attempt)}, "deliveredAt" = ${d.add(at)}, "lastStatusCode" = ${d.add(statusCode)},
        "lastError" = NULL, "claimedUntil" = NULL, "updatedAt" = ${d.add(at)} WHERE "id" = ${d.add(row.id)}`;
      await rawQuery(this.db, { sql: delivered, params: d.values });
      // The receiver answers again: whatever waited behind its outage is due now (never tried, or
      // failed as unavailable: unavailableWhere()).
      const now = new Date();
      const w = new Params(DIALECTS[providerOfClient(this.db)]);
      const wake = `UPDATE "WebhookOutbox" SET "nextAttemptAt" = ${w.add(now)}, "updatedAt" = ${w.add(now)}
        WHERE "url" = ${w.add(row.url)} AND "status" = 'pending' AND "nextAttemptAt" > ${w.add(now)} AND ("claimedUntil" IS NULL OR "claimedUntil" < ${w.add(now)})
        AND ("attempts" = 0 OR ("lastStatusCode" IS NULL OR "lastStatusCode" >= ${w.add(UNAVAILABLE_FROM_STATUS)} OR "lastStatusCode" IN (${UNAVAILABLE_STATUSES.map((c) => w.add(c)).join(', ')})))
        RETURNING "id"`;
      const woken = await rawQuery(this.db, { sql: wake, params: w.values });
      if (woken.length) this.kick();
      return 'delivered';
    }
    this.failures++;
    this.onFailure();
    const now = new Date();
    const failingSince = row.failingSince ?? now;
    const failingFor = now.getTime() - failingSince.getTime();
    const giveUp = givesUp(attempt, failingFor, { maxAttempts: row.maxAttempts, retryForMs: this.settings.retryForMs ?? DEFAULT_RETRY_FOR_MS });
    const delay = nextRetryDelay(failingFor, { minDelayMs: this.settings.baseDelayMs ?? 1000, maxDelayMs: this.settings.maxDelayMs ?? 3_600_000 });
    const nextAttemptAt = new Date(now.getTime() + (giveUp ? 0 : delay));
    await this.db.webhookOutbox.update({
      where: { id: row.id },
      data: { status: giveUp ? 'failed' : 'pending', attempts: attempt, lastError: error, lastStatusCode: statusCode, nextAttemptAt, failingSince, claimedUntil: null },
    });
    if (giveUp) {
      this.gaveUp++;
      this.onGiveUp();
      this.log.error({ event: row.event, id: row.id }, `webhook delivery gave up after ${attempt} attempts`);
      // Nothing is tried in its place: the next delivery of this URL takes the lead at once.
      await this.db.webhookOutbox.updateMany({ where: { url: row.url, status: 'pending', attempts: 0, nextAttemptAt: { gt: now }, ...unclaimed(now) }, data: { nextAttemptAt: now } });
      this.kick();
      return 'given-up';
    }
    this.log.warn({ event: row.event, id: row.id, attempt, error }, 'webhook delivery failed');
    const unavailable = receiverUnavailable(statusCode);
    if (unavailable) {
      // Everything else for this URL waits behind this delivery's next attempt.
      await this.db.webhookOutbox.updateMany({
        where: { url: row.url, status: 'pending', id: { not: row.id }, nextAttemptAt: { lt: nextAttemptAt }, ...unclaimed(now) },
        data: { nextAttemptAt: new Date(nextAttemptAt.getTime() + 1) },
      });
    }
    if (!this.stopped) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.kick();
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
    return unavailable ? 'unavailable' : 'refused';
  }

  /** Deliveries in the outbox by status (the whole fleet's: the outbox is shared), for the metrics. */
  async backlog(): Promise<{ pending: number; failed: number }> {
    const [pending, failed] = await Promise.all([this.db.webhookOutbox.count({ where: { status: 'pending' } }), this.db.webhookOutbox.count({ where: { status: 'failed' } })]);
    return { pending, failed };
  }

  /** Maps engine events to webhook notifications. */
  onEngineEvent(event: SessionEngineEvent) {
    const warning = errorWarningPayload(event, { earlyWarning: this.settings.earlyWarning });
    if (warning) this.send(warning.type, warning, { phoneId: event.phoneId });
    const closed = sessionClosedPayload(event);
    if (closed) this.send(closed.type, closed, { phoneId: event.phoneId });
    const signal = accountSignalPayload(event);
    if (signal) this.send(signal.type, signal, { phoneId: event.phoneId });
    if (event.type === 'auto-closed') {
      this.send('session_auto_closed', { type: 'session_auto_closed', phoneId: event.phoneId, phoneJid: event.phoneJid, errorType: event.errorType, reason: event.reason, closeReason: event.closeReason, timestamp: event.at }, { phoneId: event.phoneId });
    }
  }
}
