// Webhook notifications to ERROR_WEBHOOK_URL: the seed's `session_error_warning` payload, plus
// `session_auto_closed` and `session_health_report`. Deliveries run in the background with a 5 s
// timeout and retries; each attempt is recorded; a failing receiver never blocks the engine.
// With a secret, each attempt carries the seed-era `X-Webhook-Signature` and the Standard Webhooks
// headers (`webhook-id`, the same on every retry of one delivery; `webhook-timestamp`;
// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`): see docs/webhooks.md.
import crypto from 'node:crypto';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { severity } from '../sessions/decrypt-errors';
import type { SessionEngineEvent } from '../sessions/types';

export interface WebhookSettings {
  url: string;
  secret?: string;
  /** also send a `warning` at the first counted failure (WEBHOOK_EARLY_WARNING) */
  earlyWarning?: boolean;
  timeoutMs?: number;
  attempts?: number;
  /** delay before retry n is baseDelayMs · 2^(n-1) */
  baseDelayMs?: number;
}

export interface SessionErrorWarning {
  type: 'session_error_warning';
  phoneId: number;
  errorType: 'Bad MAC' | 'Bad Decrypt';
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
  if (event.type !== 'decrypt-failure' || (event.kind !== 'bad-mac' && event.kind !== 'bad-decrypt')) return null;
  if (event.count === null || event.max === null) return null;
  const early = opts.earlyWarning === true && event.count === 1;
  if (event.count < event.max - 1 && !early) return null;
  return {
    type: 'session_error_warning',
    phoneId: event.phoneId,
    errorType: event.kind === 'bad-mac' ? 'Bad MAC' : 'Bad Decrypt',
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

export class WebhookNotifier {
  private pending = new Set<Promise<void>>();
  failures = 0;

  constructor(
    private settings: WebhookSettings,
    private db: Db,
    private log: Logger,
    private onFailure: () => void = () => {},
  ) {}

  /** Queues a delivery; never throws, never awaits the receiver in the caller's path. */
  send(event: string, payload: object) {
    const p = this.deliver(event, payload).catch((err) => this.log.error({ err, event }, 'webhook delivery crashed'));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** For tests and shutdown: wait until queued deliveries finished (succeeded or gave up). */
  async idle() {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async deliver(event: string, payload: object) {
    const body = JSON.stringify(payload);
    const attempts = this.settings.attempts ?? 3;
    const id = newDeliveryId();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'wa-session-console/1.0', 'x-webhook-event': event, 'webhook-id': id };
    if (this.settings.secret) headers['x-webhook-signature'] = signature(body, this.settings.secret);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // A fresh timestamp per attempt (receivers refuse old ones), the same id (they de-duplicate by it).
      if (this.settings.secret) Object.assign(headers, standardWebhookHeaders(id, body, this.settings.secret));
      else headers['webhook-timestamp'] = String(Math.floor(Date.now() / 1000));
      const started = Date.now();
      let statusCode: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(this.settings.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.settings.timeoutMs ?? 5000) });
        statusCode = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (err) {
        error = String((err as Error)?.message ?? err);
      }
      const ok = error === null;
      await this.db.webhookDelivery
        .create({ data: { event, url: this.settings.url, payload: body, attempt, statusCode, ok, error, durationMs: Date.now() - started } })
        .catch((err) => this.log.error({ err }, 'failed to record a webhook delivery'));
      if (ok) return;
      this.failures++;
      this.onFailure();
      this.log.warn({ event, attempt, error }, 'webhook delivery failed');
      if (attempt < attempts) await new Promise((r) => setTimeout(r, (this.settings.baseDelayMs ?? 1000) * 2 ** (attempt - 1)));
    }
    this.log.error({ event }, `webhook delivery gave up after ${attempts} attempts`);
  }

  /** Maps engine events to webhook notifications. */
  onEngineEvent(event: SessionEngineEvent) {
    const warning = errorWarningPayload(event, { earlyWarning: this.settings.earlyWarning });
    if (warning) this.send(warning.type, warning);
    if (event.type === 'auto-closed') {
      this.send('session_auto_closed', { type: 'session_auto_closed', phoneId: event.phoneId, phoneJid: event.phoneJid, errorType: event.errorType, reason: event.reason, timestamp: event.at });
    }
  }
}
