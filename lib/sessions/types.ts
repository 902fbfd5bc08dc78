import type { FailureCode, MessageKind, OutboundStatus } from '../messages/vocabulary';

// The session engine's public vocabulary. Route handlers, the UI, webhooks, metrics and the
// monitor code against these types only (not against Baileys).
import type { AccountSignal, AccountSignals } from './account-signals';
import type { HealthReason } from '../health/events';
import type { CloseReason, LastClose } from './reasons';
import type { EngineName } from './engines/types';

/**
 * One phone's session lifecycle. `open` is what the seed calls "connected". `owner_lost` is never
 * a session's own state nor stored: it is how the other nodes of a fleet show a phone whose owner
 * stopped renewing its lease (dead, paused, cut off), until the phone runs on another node
 * (lib/fleet/remote-view.ts).
 */
export const SESSION_STATES = ['idle', 'connecting', 'qr', 'open', 'closing', 'closed', 'logged_out', 'owner_lost'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * The states in which a phone holds (or is getting) a socket: it counts as running, `isActive` in
 * the API, and a stored status among these is started again at boot or failover. Derived lists
 * (SQL `IN (...)`, the UI's "running" check) read this one.
 */
export const RUNNING_STATES = ['connecting', 'qr', 'open'] as const satisfies readonly SessionState[];
export type RunningState = (typeof RUNNING_STATES)[number];
/** Whether a state (or a stored status string) is one of the running states. */
export const isRunningState = (state: string): state is RunningState => (RUNNING_STATES as readonly string[]).includes(state);
/** Whether a node runs the phone in this state (or did, for `owner_lost`): the UI names that node. */
export const runsOnNode = (state: SessionState): boolean => isRunningState(state) || state === 'closing' || state === 'owner_lost';
/** A stored status as a state; anything unknown reads as `idle`. */
export const asSessionState = (status: string): SessionState => ((SESSION_STATES as readonly string[]).includes(status) ? (status as SessionState) : 'idle');

/** UI health level: no errors since start | some | the next error closes it | not running. */
export const HEALTH_LEVELS = ['healthy', 'degraded', 'critical', 'closed'] as const;
export type HealthLevel = (typeof HEALTH_LEVELS)[number];

/** The seed's getSessionErrorStats() shape. */
export interface SessionErrorStats {
  badMacErrors: number;
  badDecryptErrors: number;
  maxBadMacErrors: number;
  maxBadDecryptErrors: number;
  isHealthy: boolean;
}

/**
 * Decryption failure classes; only bad-mac and bad-decrypt count towards the limits (and only they
 * repair keys). `invalid-prekey`: the pre-key the message names is gone; `duplicate`: a message key
 * (counter) already used; `pn-lid-mismatch`: a Bad MAC / Bad Decrypt under one of the sender's
 * addresses (phone number or LID) while a Signal session is stored under the other one (Baileys
 * #1769): nothing is corrupt, so it is neither counted nor repaired.
 */
export const DECRYPT_FAILURE_KINDS = ['bad-mac', 'bad-decrypt', 'no-session', 'message-absent', 'version', 'invalid-prekey', 'duplicate', 'pn-lid-mismatch', 'other'] as const;
export type DecryptFailureKind = (typeof DECRYPT_FAILURE_KINDS)[number];
/** The kinds that count towards the limits, with the seed's name for each (the webhook's `errorType`). */
export const COUNTED_DECRYPT_ERROR_TYPES = { 'bad-mac': 'Bad MAC', 'bad-decrypt': 'Bad Decrypt' } as const satisfies Partial<Record<DecryptFailureKind, string>>;
export type CountedDecryptKind = keyof typeof COUNTED_DECRYPT_ERROR_TYPES;
export type CountedErrorType = (typeof COUNTED_DECRYPT_ERROR_TYPES)[CountedDecryptKind];
export const isCountedDecryptKind = (kind: string): kind is CountedDecryptKind => Object.hasOwn(COUNTED_DECRYPT_ERROR_TYPES, kind);

/** What the manager knows about one phone right now. */
export interface SessionSnapshot {
  phoneId: number;
  organizationId: number;
  phoneJid: string;
  state: SessionState;
  isConnected: boolean;
  health: HealthLevel;
  /** why health is not `healthy` (null when it is): lib/health/events.ts HEALTH_REASONS */
  healthReason: HealthReason | null;
  stats: SessionErrorStats;
  /** what WhatsApp last told the account about its standing (Baileys 7), as it stands now (an ended reach-out lock is gone) */
  accountSignals: AccountSignals;
  /** current QR string while pairing (state `qr`), else null */
  qr: string | null;
  /** the 8-character code to type on the phone, after a pairing-code request (state `qr`), else null */
  pairingCode: string | null;
  lastConnectedAt: string | null;
  /** the plain-English rendering of `lastClose` (kept for compatibility) */
  lastCloseReason: string | null;
  /** why the phone last closed, structured (reasons.ts), and when */
  lastClose: LastClose | null;
  /** host:port of the phone's proxy (never credentials); null when direct or not known yet */
  proxyHost: string | null;
  /** the WhatsApp client the phone runs (lib/sessions/engines) */
  engine: EngineName;
  /** the phone's own LID (…@lid) as WhatsApp announced it at login; null before the first */
  lid: string | null;
  /** the WhatsApp Web version the phone's socket announced (a.b.c); null before the first */
  waVersion: string | null;
}

/** Everything that leaves the manager is one of these (subscribers: DB, SSE, webhooks, metrics). */
export type SessionEngineEvent =
  | {
      type: 'state';
      phoneId: number;
      phoneJid: string;
      state: SessionState;
      previous: SessionState;
      /** plain-English rendering of `closeReason` (kept for compatibility) */
      reason?: string;
      closeReason?: CloseReason;
      at: string;
      /** the node that runs the phone: added by the live view (the event stream), not by the engine */
      node?: string;
      /** with `owner_lost`: when the silent owner's lease ends and the phone moves to a live node (this node's clock) */
      leaseEndsAt?: string;
    }
  | { type: 'qr'; phoneId: number; phoneJid: string; qr: string; at: string }
  | { type: 'pairing-code'; phoneId: number; phoneJid: string; pairingCode: string; at: string }
  | {
      type: 'decrypt-failure';
      phoneId: number;
      phoneJid: string;
      kind: DecryptFailureKind;
      /** 'Bad MAC' | 'Bad Decrypt' for the counted kinds, else the raw error text */
      errorType: string;
      sender: string | null;
      /** the sender's phone-number and LID addresses where the engine knows them (issue 25.3; absent from older nodes) */
      senderPn?: string | null;
      senderLid?: string | null;
      /** count after this failure (counted kinds only) */
      count: number | null;
      max: number | null;
      deletedKeys: number;
      at: string;
    }
  | { type: 'stats'; phoneId: number; phoneJid: string; stats: SessionErrorStats; health: HealthLevel; healthReason: HealthReason | null; at: string }
  | { type: 'auto-closed'; phoneId: number; phoneJid: string; reason: string; closeReason: CloseReason; errorType: CountedErrorType; at: string }
  | { type: 'reconnect'; phoneId: number; phoneJid: string; attempt: number; delayMs: number; at: string }
  | { type: 'restart'; phoneId: number; phoneJid: string; at: string }
  // What WhatsApp told the account about its standing (Baileys 7: reach-out time-lock, message capping), with the health it gives.
  | { type: 'account-signal'; phoneId: number; phoneJid: string; signal: AccountSignal; health: HealthLevel; healthReason: HealthReason | null; at: string }
  // Messages (lib/messages): ids and statuses only, never content (the API gives that to callers whose scope allows it).
  // chatJid: a LID sender's phone number where known (lib/messages/inbound.ts), its LID in senderLid
  | { type: 'message.received'; phoneId: number; phoneJid: string; messageId: string; chatJid: string; senderLid?: string; kind: MessageKind; at: string }
  | { type: 'message.status'; phoneId: number; phoneJid: string; messageId: string; chatJid: string; status: OutboundStatus; code: FailureCode | null; at: string };

export type SessionEngineEventType = SessionEngineEvent['type'];
/** Every engine event type, once: the compiler refuses a missing or unknown one. */
const EVENT_TYPE_SET = {
  state: true,
  qr: true,
  'pairing-code': true,
  'decrypt-failure': true,
  stats: true,
  'auto-closed': true,
  reconnect: true,
  restart: true,
  'account-signal': true,
  'message.received': true,
  'message.status': true,
} as const satisfies Record<SessionEngineEventType, true>;
export const SESSION_EVENT_TYPES = Object.keys(EVENT_TYPE_SET) as SessionEngineEventType[];

export type SessionEventListener = (event: SessionEngineEvent) => void;
