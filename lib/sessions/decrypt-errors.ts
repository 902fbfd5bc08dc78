// Decryption-failure policy, as pure logic: classify the error text Baileys reports, count the
// two kinds that matter per session, and decide when the session must close.
import type { CountedDecryptKind, DecryptFailureKind, HealthLevel, SessionErrorStats } from './types';

/** The text Baileys puts in messageStubParameters[0] when an established session's MAC fails. */
export const NO_MATCHING_SESSIONS = 'No matching sessions found for message';

/**
 * Classifies a decryption error. For "No matching sessions found for message" the real cause is
 * only known to libsignal; pass it as `cause` (see signal-causes.ts), else it is 'other'.
 */
export function classifyDecryptError(text: string, cause?: string | null): DecryptFailureKind {
  if (text === NO_MATCHING_SESSIONS || /No matching sessions/i.test(text)) {
    return cause ? classifyDecryptError(cause) : 'other';
  }
  if (/bad mac/i.test(text)) return 'bad-mac';
  if (/bad decrypt/i.test(text)) return 'bad-decrypt';
  if (/no session record|no sessions/i.test(text)) return 'no-session';
  if (/message absent from node/i.test(text)) return 'message-absent';
  if (/incompatible version/i.test(text)) return 'version';
  if (/invalid prekey id|missing signedprekey/i.test(text)) return 'invalid-prekey';
  if (/key used already or never filled/i.test(text)) return 'duplicate';
  return 'other';
}

export interface Limits {
  maxBadMacErrors: number;
  maxBadDecryptErrors: number;
}

/** Per-session counters with the seed's limits and health rules. */
export class ErrorCounters {
  badMac = 0;
  badDecrypt = 0;

  constructor(readonly limits: Limits) {}

  /** Counts one failure; returns the new count, its limit and whether the limit is reached. */
  record(kind: CountedDecryptKind): { count: number; max: number; limitReached: boolean } {
    const count = kind === 'bad-mac' ? ++this.badMac : ++this.badDecrypt;
    const max = kind === 'bad-mac' ? this.limits.maxBadMacErrors : this.limits.maxBadDecryptErrors;
    return { count, max, limitReached: count >= max };
  }

  reset() {
    this.badMac = 0;
    this.badDecrypt = 0;
  }

  stats(): SessionErrorStats {
    return errorStats(this.badMac, this.badDecrypt, this.limits);
  }
}

/**
 * The seed's shape. isHealthy is false once a count has reached its limit (the seed's example,
 * 2/3 Bad MAC with 1/5 Bad Decrypt, is healthy).
 */
export function errorStats(badMac: number, badDecrypt: number, limits: Limits): SessionErrorStats {
  return {
    badMacErrors: badMac,
    badDecryptErrors: badDecrypt,
    maxBadMacErrors: limits.maxBadMacErrors,
    maxBadDecryptErrors: limits.maxBadDecryptErrors,
    isHealthy: badMac < limits.maxBadMacErrors && badDecrypt < limits.maxBadDecryptErrors,
  };
}

/** UI level: closed when not running; critical when the next error of a kind closes it. */
export function healthLevel(stats: SessionErrorStats, running: boolean): HealthLevel {
  if (!running) return 'closed';
  if (stats.badMacErrors >= stats.maxBadMacErrors - 1 || stats.badDecryptErrors >= stats.maxBadDecryptErrors - 1) {
    if (stats.badMacErrors > 0 || stats.badDecryptErrors > 0) return 'critical';
  }
  if (stats.badMacErrors > 0 || stats.badDecryptErrors > 0) return 'degraded';
  return 'healthy';
}

/** The seed's webhook severity: critical when the count is at max - 1 or more. */
export function severity(currentCount: number, maxAllowed: number): 'critical' | 'warning' {
  return currentCount >= maxAllowed - 1 ? 'critical' : 'warning';
}

/** The seed's monitor rule: warn when either count is at max - 1 or more. */
export function isWarning(stats: SessionErrorStats): boolean {
  return !stats.isHealthy || stats.badMacErrors >= stats.maxBadMacErrors - 1 || stats.badDecryptErrors >= stats.maxBadDecryptErrors - 1;
}
