// What a session does after a close it did not ask for: pure, so every rule is unit-tested
// without sockets. Baileys never reconnects by itself; this policy decides whether we do.
import { DisconnectReason } from '@whiskeysockets/baileys';
import { backoffDelay } from '../retry/backoff';
import { reason, type CloseReason, type WhatsAppCloseReason } from './reasons';
import type { SessionState } from './types';

export interface ClosePolicySettings {
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  reconnectMaxAttempts: number;
}

export interface UnexpectedClose {
  /** Baileys' status code (undefined for a proxy failure or an unknown error) */
  code: number | undefined;
  /** the close as a catalogue reason (reasons.ts) */
  reason: WhatsAppCloseReason;
  /** the session's state when the socket closed */
  state: SessionState;
  /** reconnect attempts made since the last successful open */
  attempts: number;
}

export type CloseDecision =
  /** 515 after pairing: open a new socket at once (not a failure) */
  | { action: 'reopen' }
  /** the phone unlinked this device: forget the credentials */
  | { action: 'logged-out'; reason: CloseReason }
  /** stop for good (no reconnect until started again) */
  | { action: 'close'; reason: CloseReason }
  /** try again after a delay; `reason` is the close that caused it */
  | { action: 'reconnect'; attempt: number; delayMs: number; reason: WhatsAppCloseReason };

export function decideAfterClose(close: UnexpectedClose, settings: ClosePolicySettings, random: () => number = Math.random): CloseDecision {
  const { code, reason: last } = close;
  if (code === DisconnectReason.restartRequired) return { action: 'reopen' };
  if (code === DisconnectReason.loggedOut) return { action: 'logged-out', reason: last };
  // Another connection of this device took over (in a fleet: another node owns the phone now).
  if (code === DisconnectReason.connectionReplaced) return { action: 'close', reason: last };
  if (close.state === 'qr' && code === DisconnectReason.timedOut) return { action: 'close', reason: reason('qr_expired') };
  if (code === DisconnectReason.forbidden || code === DisconnectReason.multideviceMismatch || code === DisconnectReason.badSession) return { action: 'close', reason: last };
  // A banned or restricted account never reconnects by itself: every attempt would be refused
  // again, and retrying against a ban can make it worse. An operator starts it again.
  if (last.code === 'banned' || last.code === 'restricted') return { action: 'close', reason: last };
  const attempt = close.attempts + 1;
  if (attempt > settings.reconnectMaxAttempts) {
    return { action: 'close', reason: reason('gave_up', { attempts: settings.reconnectMaxAttempts, last }) };
  }
  return { action: 'reconnect', attempt, delayMs: backoffDelay(attempt, { baseMs: settings.reconnectBaseMs, maxMs: settings.reconnectMaxMs, jitter: 'full' }, random), reason: last };
}
