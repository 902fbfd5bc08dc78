// The decisions of the message path, as pure functions (unit-tested in test/unit/messages/):
// which queued message goes next and when (order per recipient, pace, one in flight), which
// status change is a step forward, what a Baileys receipt or error means.
import crypto from 'node:crypto';
import type { FailureCode, OutboundStatus, ReportedStatus } from './vocabulary';

/** Order of the outbound statuses: a status write only moves forward (`failed` is final). */
const RANK: Record<OutboundStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/** True when a message in `from` may move to `to` (receipts can arrive late or twice). */
export function canAdvance(from: OutboundStatus, to: OutboundStatus): boolean {
  if (from === 'failed' || from === to) return false;
  if (to === 'failed') return from === 'queued';
  return RANK[to] > RANK[from];
}

/** The statuses a message may be in when it moves to `to` (the WHERE of a forward-only update). */
export function statusesBefore(to: OutboundStatus): OutboundStatus[] {
  return (Object.keys(RANK) as OutboundStatus[]).filter((from) => canAdvance(from, to));
}

/** The statuses WhatsApp reports, in the order a message reaches them. */
export const REPORTED_ORDER: readonly ReportedStatus[] = ['sent', 'delivered', 'read'];

/**
 * The statuses a message in `from` passes through when WhatsApp reports `to`, in order: a later
 * status implies the earlier ones (a delivery receipt can reach us before the server's ack, and
 * the message was still acked), so queued → delivered is [sent, delivered]. Empty when `to` is
 * not a step forward (a late or repeated receipt, a failed message).
 */
export function statusSteps(from: OutboundStatus, to: ReportedStatus): ReportedStatus[] {
  if (!canAdvance(from, to)) return [];
  return REPORTED_ORDER.filter((s) => RANK[s] > RANK[from] && RANK[s] <= RANK[to]);
}

/**
 * A Baileys message status (proto.WebMessageInfo.Status: ERROR 0, PENDING 1, SERVER_ACK 2,
 * DELIVERY_ACK 3, READ 4, PLAYED 5) as ours; null for the ones that say nothing new.
 */
export function statusFromBaileys(status: number | null | undefined): ReportedStatus | null {
  switch (status) {
    case 2:
      return 'sent';
    case 3:
      return 'delivered';
    case 4:
    case 5:
      return 'read';
    default:
      return null;
  }
}

/**
 * A webhook payload as someone without content access may see it (the deliveries list): a
 * `message.received` loses its body (text, caption, reaction emoji) and media; ids, kinds and
 * times stay. Other payloads carry no content and are returned as they are.
 */
export function payloadWithoutContent(event: string, payload: unknown): unknown {
  if (event !== 'message.received' || !payload || typeof payload !== 'object') return payload;
  const p = payload as { message?: Record<string, unknown> };
  if (!p.message || typeof p.message !== 'object') return payload;
  const message = { ...p.message };
  delete message.text;
  delete message.media;
  return { ...p, message };
}

/** SHA-256 of a request body in a key order that does not matter: same body, same hash. */
export function bodyHash(body: unknown): string {
  return crypto.createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What an Idempotency-Key finds: nothing, the same request again, or another request under it. */
export function idempotencyOutcome(stored: { bodyHash: string | null } | null, hash: string): 'new' | 'replay' | 'conflict' {
  if (!stored) return 'new';
  return stored.bodyHash === hash ? 'replay' : 'conflict';
}

export interface QueuedItem {
  messageId: string;
  chatJid: string;
  createdAtMs: number;
  /** set once it was handed to a socket: the message in flight (at most one per phone) */
  sentAtMs: number | null;
}

export interface PaceSettings {
  /** the least time between two sends of one phone */
  phoneIntervalMs: number;
  /** the least time between two sends of one phone to one recipient */
  recipientIntervalMs: number;
  /** a message not sent this long after it was stored fails with `expired` */
  ttlMs: number;
}

export interface PaceState {
  lastPhoneSendMs: number | null;
  lastRecipientSendMs: ReadonlyMap<string, number>;
}

/** One message the phone handed to a socket (its stored `sentAt`), for the pace. */
export interface SendRecord {
  chatJid: string;
  sentAtMs: number;
}

/** How far back the pace looks: a send older than this constrains nothing. */
export function paceWindowMs(settings: Pick<PaceSettings, 'phoneIntervalMs' | 'recipientIntervalMs'>): number {
  return Math.max(settings.phoneIntervalMs, settings.recipientIntervalMs);
}

/**
 * The pace state from the phone's stored sends (`sentAt`, written at each hand-over by whichever
 * node owned the phone), not from one node's memory: a phone that moves to another node (failover,
 * drain, rebalancing) keeps its pace. Sends outside the window are ignored; a time ahead of `nowMs`
 * (another node's clock) counts as now, so a skewed clock delays a send by one interval at most.
 */
export function paceFromSends(rows: readonly SendRecord[], nowMs: number, settings: Pick<PaceSettings, 'phoneIntervalMs' | 'recipientIntervalMs'>): PaceState {
  const since = nowMs - paceWindowMs(settings);
  let lastPhoneSendMs: number | null = null;
  const lastRecipientSendMs = new Map<string, number>();
  for (const row of rows) {
    const at = Math.min(row.sentAtMs, nowMs);
    if (at < since) continue;
    if (lastPhoneSendMs === null || at > lastPhoneSendMs) lastPhoneSendMs = at;
    if (at > (lastRecipientSendMs.get(row.chatJid) ?? -Infinity)) lastRecipientSendMs.set(row.chatJid, at);
  }
  return { lastPhoneSendMs, lastRecipientSendMs };
}

export type SendDecision =
  | { kind: 'send'; item: QueuedItem; resend: boolean }
  | { kind: 'wait'; ms: number }
  | { kind: 'idle' };

/** The queued messages (never handed to a socket) that waited longer than the TTL. */
export function expiredItems(items: readonly QueuedItem[], nowMs: number, ttlMs: number): QueuedItem[] {
  return items.filter((i) => i.sentAtMs === null && nowMs - i.createdAtMs >= ttlMs);
}

/**
 * The phones whose expired messages (queued, never handed to a socket, older than the TTL) this
 * node fails in its sweep: its own phones (a fenced write, whether or not their socket is open:
 * a phone stuck connecting has no sender running), and phones no live node owns (never claimed,
 * released by a drain, or owned by a node whose lease ran out: the write is a compare-and-set on
 * `queued`, so two nodes never both fail one message). A phone another live node owns is that
 * node's to expire: its writes carry the fence this node does not hold.
 */
export function phonesToExpire(
  phoneIds: readonly number[],
  owners: ReadonlyMap<number, string>,
  liveNodes: ReadonlySet<string>,
  isMine: (phoneId: number) => boolean,
): number[] {
  return [...new Set(phoneIds)].filter((id) => {
    if (isMine(id)) return true;
    const owner = owners.get(id);
    return owner === undefined || !liveNodes.has(owner);
  });
}

/**
 * The next message to send, given the phone's queue in stored order (expired ones removed).
 * A message already handed to a socket (in flight when the last owner stopped, or its ack timed
 * out) goes first and alone, under its stored id. Otherwise the first message of each recipient
 * is a candidate (order per recipient), in queue order, once both paces allow it; messages wait
 * for pace, they are never refused for it.
 */
export function nextSend(items: readonly QueuedItem[], pace: PaceState, nowMs: number, settings: PaceSettings): SendDecision {
  if (!items.length) return { kind: 'idle' };
  const inFlight = items.find((i) => i.sentAtMs !== null);
  if (inFlight) return { kind: 'send', item: inFlight, resend: true };
  const phoneWait = pace.lastPhoneSendMs === null ? 0 : pace.lastPhoneSendMs + settings.phoneIntervalMs - nowMs;
  // The earliest expiry also wakes the sender, so an expired message fails on time.
  const nextExpiry = Math.min(...items.map((i) => i.createdAtMs + settings.ttlMs - nowMs));
  let wait = Infinity;
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.chatJid)) continue;
    seen.add(item.chatJid);
    const last = pace.lastRecipientSendMs.get(item.chatJid);
    const recipientWait = last === undefined ? 0 : last + settings.recipientIntervalMs - nowMs;
    const ready = Math.max(phoneWait, recipientWait);
    if (ready <= 0) return { kind: 'send', item, resend: false };
    wait = Math.min(wait, ready);
  }
  return { kind: 'wait', ms: Math.max(1, Math.min(wait, nextExpiry)) };
}

/** What a failed `sendMessage` means: a final failure, or a lost connection (send again later). */
export function classifySendError(err: unknown): { final: false } | { final: true; code: FailureCode } {
  const e = err as { output?: { statusCode?: number }; message?: string; data?: unknown } | null;
  const status = e?.output?.statusCode;
  const message = String(e?.message ?? err ?? '');
  // Baileys 6.7.24 sometimes reads its encrypted temp file before the write ended: that upload is refused, sending again works.
  if (status === 428 || status === 408 || status === 503 || /connection (closed|lost|failure)|socket|not open|media upload failed/i.test(message)) return { final: false };
  if (status === 401 || (status === 403 && /logged out/i.test(message))) return { final: true, code: 'phone_logged_out' };
  if (status === 429 || /rate-?overlimit|rate limit/i.test(message)) return { final: true, code: 'rate_limited' };
  if (status === 413 || /too large|file size/i.test(message)) return { final: true, code: 'media_too_large' };
  if (/not on whatsapp|no devices|not-authorized/i.test(message)) return { final: true, code: 'not_on_whatsapp' };
  return { final: true, code: 'send_failed' };
}

/** The `error` attribute of a server ack (`<ack class="message" error="…">`) as a failure code. */
export function ackErrorCode(error: string): FailureCode {
  switch (error) {
    case '429':
    case '463':
      return 'rate_limited';
    case '413':
      return 'media_too_large';
    case '404':
    case '479':
      return 'not_on_whatsapp';
    case '401':
      return 'phone_logged_out';
    default:
      return 'rejected';
  }
}

/** True while a message may be handed to the socket once more after an ack timeout. */
export function attemptsLeft(attempts: number, maxAttempts: number): boolean {
  return attempts < maxAttempts;
}
