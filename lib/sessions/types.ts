import type { FailureCode, MessageKind, OutboundStatus } from '../messages/vocabulary';

// The session engine's public vocabulary. Route handlers, the UI, webhooks, metrics and the
// monitor code against these types only (not against Baileys).

/** One phone's session lifecycle. `open` is what the seed calls "connected". */
export const SESSION_STATES = ['idle', 'connecting', 'qr', 'open', 'closing', 'closed', 'logged_out'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

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

/** Decryption failure classes; only bad-mac and bad-decrypt count towards the limits. */
export type DecryptFailureKind =
  | 'bad-mac'
  | 'bad-decrypt'
  | 'no-session'
  | 'message-absent'
  | 'version'
  | 'other';

/** What the manager knows about one phone right now. */
export interface SessionSnapshot {
  phoneId: number;
  organizationId: number;
  phoneJid: string;
  state: SessionState;
  isConnected: boolean;
  health: HealthLevel;
  stats: SessionErrorStats;
  /** current QR string while pairing (state `qr`), else null */
  qr: string | null;
  /** the 8-character code to type on the phone, after a pairing-code request (state `qr`), else null */
  pairingCode: string | null;
  lastConnectedAt: string | null;
  lastCloseReason: string | null;
  /** host:port of the phone's proxy (never credentials); null when direct or not known yet */
  proxyHost: string | null;
}

/** Everything that leaves the manager is one of these (subscribers: DB, SSE, webhooks, metrics). */
export type SessionEngineEvent =
  | { type: 'state'; phoneId: number; phoneJid: string; state: SessionState; previous: SessionState; reason?: string; at: string }
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
      /** count after this failure (counted kinds only) */
      count: number | null;
      max: number | null;
      deletedKeys: number;
      at: string;
    }
  | { type: 'stats'; phoneId: number; phoneJid: string; stats: SessionErrorStats; health: HealthLevel; at: string }
  | { type: 'auto-closed'; phoneId: number; phoneJid: string; reason: string; errorType: 'Bad MAC' | 'Bad Decrypt'; at: string }
  | { type: 'reconnect'; phoneId: number; phoneJid: string; attempt: number; delayMs: number; at: string }
  | { type: 'restart'; phoneId: number; phoneJid: string; at: string }
  // Messages (lib/messages): ids and statuses only, never content (the API gives that to callers whose scope allows it).
  | { type: 'message.received'; phoneId: number; phoneJid: string; messageId: string; chatJid: string; kind: MessageKind; at: string }
  | { type: 'message.status'; phoneId: number; phoneJid: string; messageId: string; chatJid: string; status: OutboundStatus; code: FailureCode | null; at: string };

export type SessionEventListener = (event: SessionEngineEvent) => void;
