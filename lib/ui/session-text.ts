// Words for what the engine records, in the admin's language: close reasons (from their code and
// params, lib/sessions/reasons.ts), timeline entries, server errors by their code. Pure functions
// (unit tested).
import { isMessageKey, type MessageKey, type Translate } from './i18n';
import type { SessionEventDto } from '../api/session-schemas';
import type { AuditEntry } from '../audit';
import {
  COUNTED_DECRYPT_ERROR_TYPES,
  DECRYPT_FAILURE_KINDS,
  isCountedDecryptKind,
  SESSION_STATES,
  type CountedDecryptKind,
  type DecryptFailureKind,
  type SessionState,
} from '../sessions/types';
import { isCloseReasonCode, manualClose, type CloseReason, type CloseReasonCode, type CloseReasonParams } from '../sessions/reasons';

type Params<C extends CloseReasonCode> = CloseReasonParams[C];
const status = (p: { status?: number }) => ({ status: p.status ?? '—' });

/** What the phone's row knows beyond the reason: the node that runs it now (a rebalanced phone "moved to node X"). */
export interface ReasonContext {
  node?: string | null;
}

/** Every close reason in words, from its code and params only (the compiler asks for a new code's words). */
const REASON_WORDS: { [C in CloseReasonCode]: (t: Translate, p: Params<C>, ctx: ReasonContext) => string } = {
  logged_out: (t, p) => t('reason.loggedOutWa', status(p)),
  replaced: (t) => t('reason.replaced'),
  banned: (t, p) => t('reason.banned', status(p)),
  restricted: (t, p) => t('reason.restricted', status(p)),
  version_outdated: (t, p) => `${t('reason.versionOutdated', status(p))}${p.version ? ` (${t('reason.versionSent', { version: p.version })})` : ''}`,
  restart_required: (t) => t('reason.restartRequired'),
  connection_lost: (t) => t('reason.connectionLost'),
  bad_session: (t, p) => t('reason.badSession', status(p)),
  proxy_failed: (t, p) => t(`reason.proxy.${p.kind}`),
  unknown: (t, p) => t('reason.unknown', status(p)),
  manual: (t, p) => p.text ?? t('reason.manual'),
  admin_logout: (t, p) => p.text ?? t('reason.loggedOutAdmin'),
  phone_deleted: (t) => t('reason.deleted'),
  restart: (t) => t('reason.restart'),
  proxy_changed: (t) => t('reason.proxyChanged'),
  engine_changed: (t, p) => t('reason.engineChanged', { engine: p.engine }),
  shutdown: (t) => t('reason.shutdown'),
  auto_closed: (t, p) => t('reason.autoClosed', { type: p.errorType, count: p.count, max: p.max }),
  qr_expired: (t) => t('reason.qrExpired'),
  reconnecting: (t, p) => `${t('reason.reconnecting', { n: p.attempt })}: ${reasonText(t, p.last)}`,
  gave_up: (t, p) => `${t('reason.gaveUp', { n: p.attempts })}: ${reasonText(t, p.last)}`,
  database_unreachable: (t) => t('reason.databaseUnreachable'),
  paired_other_number: (t, p) => t('reason.pairedOtherNumber', { paired: p.paired }),
  moved: (t) => t('reason.moved'),
  // The releasing node cannot know who claims the phone; the row knows once the new owner reports it.
  rebalanced: (t, p, ctx) => (ctx.node && ctx.node !== p.from ? t('reason.rebalancedTo', { node: ctx.node }) : t('reason.rebalanced')),
  // Stopped alone (SQLite, or the same node back): the stop is the news, not a move.
  drained: (t, p, ctx) => (ctx.node && ctx.node !== p.from ? t('reason.drainedTo', { node: ctx.node }) : t('reason.drained', { node: p.from })),
  lease_lost: (t) => t('reason.leaseLost'),
  displaced: (t) => t('reason.displaced'),
  unresponsive: (t, p) => t('reason.unresponsive', { n: p.failures }),
};

/**
 * A close (or reconnect) reason in words: "auto-closed: Bad MAC 3/3", "closed by an administrator".
 * Worded from the structured reason only; `legacy` (the plain string of a record written before
 * reasons were structured) is shown as it is when there is no structured form.
 */
export function reasonText(t: Translate, reason: CloseReason | null | undefined, legacy?: string | null, ctx: ReasonContext = {}): string {
  if (reason && isCloseReasonCode(reason.code)) return (REASON_WORDS[reason.code] as (t: Translate, p: CloseReason['params'], ctx: ReasonContext) => string)(t, reason.params ?? {}, ctx);
  return legacy || '—';
}

/** The words for an uncounted decryption kind; the counted ones keep their seed names (Bad MAC, Bad Decrypt). */
const DECRYPT_KIND_KEY = {
  'no-session': 'timeline.decrypt.no-session',
  'message-absent': 'timeline.decrypt.message-absent',
  version: 'timeline.decrypt.version',
  'invalid-prekey': 'timeline.decrypt.invalid-prekey',
  duplicate: 'timeline.decrypt.duplicate',
  'pn-lid-mismatch': 'timeline.decrypt.pn-lid-mismatch',
  other: 'timeline.decrypt.other',
} as const satisfies Record<Exclude<DecryptFailureKind, CountedDecryptKind>, MessageKey>;
const isDecryptKind = (kind: string): kind is DecryptFailureKind => (DECRYPT_FAILURE_KINDS as readonly string[]).includes(kind);
const isState = (state: string): state is SessionState => (SESSION_STATES as readonly string[]).includes(state);

const sender = (t: Translate, jid: string | null) => (jid ? '+' + jid.split('@')[0].split(':')[0] : t('timeline.unknownSender'));

/** One timeline entry as a sentence: "Connected", "Bad MAC from +1555… (2/3), 4 keys deleted". */
export function timelineText(t: Translate, e: Pick<SessionEventDto, 'type' | 'sender' | 'count' | 'message' | 'detail'>): string {
  const state = /^state:(.+)$/.exec(e.type)?.[1];
  if (state && isState(state)) {
    const word = t(`timeline.state.${state}`);
    const structured = (e.detail as { reason?: CloseReason } | null)?.reason;
    return structured || e.message ? `${word}: ${reasonText(t, structured, e.message)}` : word;
  }
  if (e.type === 'pairing-code') return t('timeline.pairingCode');
  if (e.type === 'health:unresponsive') return t('timeline.unresponsive', { n: e.count ?? '?' });
  if (e.type === 'health:recovered') return t('timeline.recovered');
  const kind = /^decrypt:(.+)$/.exec(e.type)?.[1];
  if (kind) {
    const detail = (e.detail ?? {}) as { max?: number; deletedKeys?: number };
    const label = isCountedDecryptKind(kind) ? COUNTED_DECRYPT_ERROR_TYPES[kind] : null;
    const type = label ?? t(isDecryptKind(kind) && !isCountedDecryptKind(kind) ? DECRYPT_KIND_KEY[kind] : DECRYPT_KIND_KEY.other);
    let text =
      label && e.count !== null && typeof detail.max === 'number'
        ? t('timeline.decryptCount', { type, sender: sender(t, e.sender), count: e.count, max: detail.max })
        : t('timeline.decrypt', { type, sender: sender(t, e.sender) });
    // Keys are deleted to heal the sender's session; none found is not worth a word.
    if (typeof detail.deletedKeys === 'number' && detail.deletedKeys > 0) text += ', ' + t('timeline.keysDeleted', { n: detail.deletedKeys });
    return text;
  }
  return e.message ? `${e.type}: ${e.message}` : e.type;
}

/** An audit entry as a sentence when it is a close with a reason: "Closed by admin@…: reason". */
export function auditText(t: Translate, a: Pick<AuditEntry, 'action' | 'actorName' | 'reason'>): string | null {
  // The audit keeps what the administrator typed; the default close reason is worded.
  if (a.action === 'session.close' && a.reason) return t('timeline.closedBy', { actor: a.actorName, reason: reasonText(t, manualClose(a.reason)) });
  return null;
}

/** A failed request in the admin's language: the code's text when known, else the server's message. */
export function errorText(t: Translate, err: { code?: string; message: string }): string {
  const code = err.code;
  const key = `code.${code}`;
  return code && isMessageKey(key) ? t(key) : err.message;
}

/**
 * The API's field-level issues (`details` of a 400) by field, in the admin's language: the
 * catalogue's words for a field it knows (`field.phone`), else the server's message.
 */
export function fieldErrors(t: Translate, err: unknown): Record<string, string> {
  const issues = (err as { fieldIssues?: { path: string; message: string }[] } | null)?.fieldIssues ?? [];
  const out: Record<string, string> = {};
  for (const i of issues) {
    const key = `field.${i.path}`;
    out[i.path] ??= isMessageKey(key) ? t(key) : i.message;
  }
  return out;
}

/** errorText for whatever a request threw (a RequestError carries the server's code and the fields at fault). */
export function errorMessage(t: Translate, err: unknown): string {
  const e = err as { code?: string; message?: string } | null;
  const text = errorText(t, { code: typeof e?.code === 'string' ? e.code : undefined, message: String(e?.message ?? err) });
  const fields = Object.values(fieldErrors(t, err));
  return fields.length ? `${text}: ${fields.join('; ')}` : text;
}

type CounterStats = { badMacErrors: number; maxBadMacErrors: number; badDecryptErrors: number; maxBadDecryptErrors: number };

/**
 * What comes next when one more counted failure would close a running session (issue 27.7): "The
 * next Bad MAC closes the session; Restart resets the counters". Null when none is that close.
 */
export function closeWarning(t: Translate, status: SessionState, s: CounterStats): string | null {
  if (status === 'closed' || status === 'logged_out') return null;
  const near = (value: number, max: number) => max > 0 && value === max - 1 && value > 0;
  const kinds = [
    near(s.badMacErrors, s.maxBadMacErrors) ? COUNTED_DECRYPT_ERROR_TYPES['bad-mac'] : null,
    near(s.badDecryptErrors, s.maxBadDecryptErrors) ? COUNTED_DECRYPT_ERROR_TYPES['bad-decrypt'] : null,
  ].filter((k) => k !== null);
  return kinds.length ? t('counter.nextCloses', { type: kinds.join(t('counter.or')) }) : null;
}

/**
 * The counters a row shows: a session closed by a counter keeps showing the count that closed it
 * ("Bad MAC 3/3" beside "auto-closed: Bad MAC 3/3", not 0/3) until it runs again (issue 27.6).
 */
export function shownCounters<S extends CounterStats>(status: SessionState, stats: S, lastClose: CloseReason | null | undefined): S {
  if ((status !== 'closed' && status !== 'logged_out') || lastClose?.code !== 'auto_closed') return stats;
  const p = lastClose.params as CloseReasonParams['auto_closed'];
  if (p.errorType === COUNTED_DECRYPT_ERROR_TYPES['bad-mac']) return { ...stats, badMacErrors: Math.max(stats.badMacErrors, p.count) };
  if (p.errorType === COUNTED_DECRYPT_ERROR_TYPES['bad-decrypt']) return { ...stats, badDecryptErrors: Math.max(stats.badDecryptErrors, p.count) };
  return stats;
}
