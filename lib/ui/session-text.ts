// Words for what the engine records, in the admin's language: close reasons, timeline entries,
// server errors by their code. Pure functions (unit tested); the engine keeps English text in the
// database and API, the UI translates the forms it knows and shows anything else as sent.
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

const AUTO_CLOSED = /^(Bad MAC|Bad Decrypt) limit reached \((\d+)\/(\d+)\)$/;

/** "Bad MAC limit reached (3/3)" → { type, count, max }; null for any other reason. */
export function parseAutoClose(reason: string | null | undefined): { type: string; count: number; max: number } | null {
  const m = reason ? AUTO_CLOSED.exec(reason) : null;
  return m ? { type: m[1], count: Number(m[2]), max: Number(m[3]) } : null;
}

/** A close (or reconnect) reason in words: "auto-closed: Bad MAC 3/3", "closed by an administrator". */
export function reasonText(t: Translate, reason: string | null | undefined): string {
  if (!reason) return '—';
  const auto = parseAutoClose(reason);
  if (auto) return t('reason.autoClosed', auto);
  if (reason === 'Manual close') return t('reason.manual');
  if (reason === 'Session restart requested') return t('reason.restart');
  if (reason === 'Server shutting down') return t('reason.shutdown');
  if (reason === 'Phone deleted' || reason === 'Phone deleted by an administrator') return t('reason.deleted');
  if (reason === 'Logged out by an administrator') return t('reason.loggedOutAdmin');
  let m = /^Logged out by WhatsApp: (.*)$/.exec(reason);
  if (m) return t('reason.loggedOutWa', { detail: m[1] });
  if (/^Connection replaced by another client/.test(reason)) return t('reason.replaced');
  m = /^Gave up after (\d+) reconnect attempts/.exec(reason);
  if (m) return t('reason.gaveUp', { n: m[1] });
  m = /^Reconnecting \(attempt (\d+)\)/.exec(reason);
  if (m) return t('reason.reconnecting', { n: m[1] });
  return reason;
}

/** The words for an uncounted decryption kind; the counted ones keep their seed names (Bad MAC, Bad Decrypt). */
const DECRYPT_KIND_KEY = {
  'no-session': 'timeline.decrypt.no-session',
  'message-absent': 'timeline.decrypt.message-absent',
  version: 'timeline.decrypt.version',
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
    return e.message ? `${word}: ${reasonText(t, e.message)}` : word;
  }
  if (e.type === 'pairing-code') return t('timeline.pairingCode');
  const kind = /^decrypt:(.+)$/.exec(e.type)?.[1];
  if (kind) {
    const detail = (e.detail ?? {}) as { max?: number; deletedKeys?: number };
    const label = isCountedDecryptKind(kind) ? COUNTED_DECRYPT_ERROR_TYPES[kind] : null;
    const type = label ?? t(isDecryptKind(kind) && !isCountedDecryptKind(kind) ? DECRYPT_KIND_KEY[kind] : DECRYPT_KIND_KEY.other);
    let text =
      label && e.count !== null && typeof detail.max === 'number'
        ? t('timeline.decryptCount', { type, sender: sender(t, e.sender), count: e.count, max: detail.max })
        : t('timeline.decrypt', { type, sender: sender(t, e.sender) });
    if (typeof detail.deletedKeys === 'number') text += ', ' + t('timeline.keysDeleted', { n: detail.deletedKeys });
    return text;
  }
  return e.message ? `${e.type}: ${e.message}` : e.type;
}

/** An audit entry as a sentence when it is a close with a reason: "Closed by admin@…: reason". */
export function auditText(t: Translate, a: Pick<AuditEntry, 'action' | 'actorName' | 'reason'>): string | null {
  if (a.action === 'session.close' && a.reason) return t('timeline.closedBy', { actor: a.actorName, reason: reasonText(t, a.reason) });
  return null;
}

/** A failed request in the admin's language: the code's text when known, else the server's message. */
export function errorText(t: Translate, err: { code?: string; message: string }): string {
  const code = err.code;
  const key = `code.${code}`;
  return code && isMessageKey(key) ? t(key) : err.message;
}

/** errorText for whatever a request threw (a RequestError carries the server's code). */
export function errorMessage(t: Translate, err: unknown): string {
  const e = err as { code?: string; message?: string } | null;
  return errorText(t, { code: typeof e?.code === 'string' ? e.code : undefined, message: String(e?.message ?? err) });
}
