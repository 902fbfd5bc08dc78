// Why a session closed (or is reconnecting), as data: a stable `code` and its `params`. The engine
// produces these, the database keeps them (`OrganizationPhone.lastClose`, the timeline's
// `detail.reason`), the API, the stream and the webhooks carry them, and only the UI words them,
// per language (lib/ui/session-text.ts). `closeReasonText` is the one plain-English rendering,
// kept for the older string fields (`lastCloseReason`, an event's `reason`).
//
// The WhatsApp group is the close-reason catalogue every engine maps its status codes onto
// (`whatsAppCloseCode`); the console group is what the console itself decides.
import type { CountedErrorType } from './types';

/** What WhatsApp (through the engine) said when it closed the connection. */
interface WhatsAppParams {
  /** the engine's status code (401, 440, 428…), when it gave one */
  status?: number;
  /** the engine's own text, as sent (English, not for display) */
  detail?: string;
}

/** Every reason, with its params. Adding a code here makes the compiler ask for its words. */
export interface CloseReasonParams {
  // WhatsApp's (by status code)
  /** 401: the phone unlinked this device */
  logged_out: WhatsAppParams;
  /** 440: another connection of this device took over */
  replaced: WhatsAppParams;
  /** 402/403/406: a temporary ban, a locked account or a permanent ban */
  banned: WhatsAppParams;
  /** 463: the account is restricted */
  restricted: WhatsAppParams;
  /** 405: the client's version is too old; `version`: the one the console sent (a.b.c) */
  version_outdated: WhatsAppParams & { version?: string };
  /** 515: WhatsApp asks for a new connection (normal after pairing) */
  restart_required: WhatsAppParams;
  /** 408/428 or no status: the connection dropped */
  connection_lost: WhatsAppParams;
  /** 500: the stored session is unusable */
  bad_session: WhatsAppParams;
  /** the phone's proxy failed (unreachable, authentication, timeout, refused) */
  proxy_failed: { kind: 'unreachable' | 'auth' | 'refused' | 'timeout' | 'error'; detail: string };
  /** any other status */
  unknown: WhatsAppParams;

  // The console's own
  /** closed by an administrator; `text` is what they typed (absent: the default) */
  manual: { text?: string };
  /** logged out by an administrator; `text` is what they typed (absent: the default) */
  admin_logout: { text?: string };
  /** the phone was deleted */
  phone_deleted: Record<string, never>;
  /** a restart was asked for (the socket closes, then opens again) */
  restart: Record<string, never>;
  /** the proxy setting changed (the socket closes, then opens through the new one) */
  proxy_changed: Record<string, never>;
  /** the phone was moved to another engine (the socket closes, then opens on it with the same credentials) */
  engine_changed: { engine: string };
  /** the process is shutting down (or draining): the stored status is kept */
  shutdown: Record<string, never>;
  /** a counted decryption failure reached its limit */
  auto_closed: { errorType: CountedErrorType; count: number; max: number };
  /** the QR code expired without being scanned */
  qr_expired: Record<string, never>;
  /** reconnecting after a close nobody asked for: attempt number and the close that caused it */
  reconnecting: { attempt: number; last: ReconnectCause };
  /** the reconnect attempts ran out */
  gave_up: { attempts: number; last: ReconnectCause };
  /** a key write or read found the database unreachable: the session reconnects when it is back */
  database_unreachable: Record<string, never>;
  /** the phone was paired with another number than its own */
  paired_other_number: { paired: string; expected: string };
  /** another node owns the phone now */
  moved: Record<string, never>;
  /** rebalancing: node `from` ran more than its share and handed the phone to another node (any live one claims it) */
  rebalanced: { from: string };
  /** a drain (SIGTERM: a deploy, a rolling restart): node `from` closed the phone cleanly and released it to the other nodes */
  drained: { from: string };
  /** this node could not renew its lease in time */
  lease_lost: Record<string, never>;
  /** another process started under this node's id (this one was paused past its lease): it stops acting */
  displaced: Record<string, never>;
  /** the liveness probe got no answer `failures` times in a row: the console restarts the socket (lib/health) */
  unresponsive: { failures: number };
}

export type CloseReasonCode = keyof CloseReasonParams;
export type CloseReason = { [C in CloseReasonCode]: { code: C; params: CloseReasonParams[C] } }[CloseReasonCode];
export type WhatsAppCloseCode = 'logged_out' | 'replaced' | 'banned' | 'restricted' | 'version_outdated' | 'restart_required' | 'connection_lost' | 'bad_session' | 'proxy_failed' | 'unknown';
export type WhatsAppCloseReason = Extract<CloseReason, { code: WhatsAppCloseCode }>;
/** What a reconnect follows: a close WhatsApp reported, or a database the session could not reach (the owner check before connecting). */
export type ReconnectCause = WhatsAppCloseReason | Extract<CloseReason, { code: 'database_unreachable' }>;
/** The last close as the API returns it. */
export type LastClose = CloseReason & { at: string };

/** A reason, typed by its code. */
export const reason = <C extends CloseReasonCode>(code: C, ...params: CloseReasonParams[C] extends Record<string, never> ? [] : [CloseReasonParams[C]]) =>
  ({ code, params: params[0] ?? {} }) as Extract<CloseReason, { code: C }>;

/** The seed's default close reason (the close endpoint's body without `reason`). */
export const MANUAL_CLOSE_TEXT = 'Manual close';
export const ADMIN_LOGOUT_TEXT = 'Logged out by an administrator';

/** An administrator's close: their text, unless it is the default. */
export const manualClose = (text?: string | null): CloseReason => (text && text !== MANUAL_CLOSE_TEXT ? { code: 'manual', params: { text } } : { code: 'manual', params: {} });
export const adminLogout = (text?: string | null): CloseReason => (text && text !== ADMIN_LOGOUT_TEXT ? { code: 'admin_logout', params: { text } } : { code: 'admin_logout', params: {} });

/** The catalogue code of a WhatsApp status code (Baileys' `DisconnectReason` and the server's). */
export function whatsAppCloseCode(status: number | undefined): Exclude<WhatsAppCloseCode, 'proxy_failed'> {
  switch (status) {
    case 401:
      return 'logged_out';
    case 440:
      return 'replaced';
    case 402:
    case 403:
    case 406:
      return 'banned';
    case 463:
      return 'restricted';
    case 405:
      return 'version_outdated';
    case 515:
      return 'restart_required';
    case undefined:
    case 408:
    case 428:
      return 'connection_lost';
    case 500:
      return 'bad_session';
    default:
      return 'unknown';
  }
}

/** A close the engine reported, as a catalogue reason. */
export function whatsAppCloseReason(status: number | undefined, detail: string): WhatsAppCloseReason {
  const params: WhatsAppParams = status === undefined ? { detail } : { status, detail };
  return { code: whatsAppCloseCode(status), params } as WhatsAppCloseReason;
}

const withStatus = (p: WhatsAppParams) => `${p.detail ?? 'connection closed'}${p.status ? ` (${p.status})` : ''}`;

/** The plain-English rendering of every reason (the older string fields; logs). */
const ENGLISH: { [C in CloseReasonCode]: (params: CloseReasonParams[C]) => string } = {
  logged_out: (p) => `Logged out by WhatsApp: ${withStatus(p)}`,
  replaced: (p) => `Connection replaced by another client: ${withStatus(p)}`,
  banned: withStatus,
  restricted: withStatus,
  version_outdated: (p) => `${withStatus(p)}${p.version ? `; version sent: ${p.version}` : ''}`,
  restart_required: withStatus,
  connection_lost: withStatus,
  bad_session: withStatus,
  proxy_failed: (p) => p.detail,
  unknown: withStatus,
  manual: (p) => p.text ?? MANUAL_CLOSE_TEXT,
  admin_logout: (p) => p.text ?? ADMIN_LOGOUT_TEXT,
  phone_deleted: () => 'Phone deleted',
  restart: () => 'Session restart requested',
  proxy_changed: () => 'Proxy changed: reconnecting through the new proxy',
  engine_changed: (p) => `Engine changed to ${p.engine}: reconnecting`,
  shutdown: () => 'Server shutting down',
  auto_closed: (p) => `${p.errorType} limit reached (${p.count}/${p.max})`,
  qr_expired: () => 'QR code expired without being scanned',
  reconnecting: (p) => `Reconnecting (attempt ${p.attempt}) after: ${closeReasonText(p.last)}`,
  gave_up: (p) => `Gave up after ${p.attempts} reconnect attempts (last: ${closeReasonText(p.last)})`,
  database_unreachable: () => 'Database unreachable: reconnecting when it is back',
  paired_other_number: (p) => `Paired with a different number (${p.paired}); this phone is ${p.expected}`,
  moved: () => 'Owned by another node now',
  rebalanced: (p) => `Handed over by node ${p.from} to another node (rebalancing)`,
  drained: (p) => `Node ${p.from} was stopped (drained): any live node runs the phone next`,
  lease_lost: () => 'Lease lost: this node could not renew it in time',
  displaced: () => 'Another process runs under this node id now',
  unresponsive: (p) => `Unresponsive: ${p.failures} probes in a row got no answer`,
};

export const CLOSE_REASON_CODES = Object.keys(ENGLISH) as CloseReasonCode[];

export function closeReasonText(r: CloseReason): string {
  return (ENGLISH[r.code] as (params: CloseReason['params']) => string)(r.params);
}

export const isCloseReasonCode = (code: unknown): code is CloseReasonCode => typeof code === 'string' && Object.hasOwn(ENGLISH, code);

/** A stored `lastClose` (JSON text) back to a value; null when absent or not one of ours. */
export function parseLastClose(json: string | null | undefined): LastClose | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as { code?: unknown; params?: unknown; at?: unknown };
    if (!isCloseReasonCode(v.code) || typeof v.params !== 'object' || v.params === null || typeof v.at !== 'string') return null;
    return v as LastClose;
  } catch {
    return null;
  }
}
