// Creation quotas (issue 21 item 5): how many phones and organizations one API token or one
// signed-in user may create per window. Pure: the windows' arithmetic and the keys; the counter
// itself lives in the database (store.ts), so every node of a fleet counts against one limit.
//
// A fixed window per key that starts at the key's first creation: at most `max` creations from
// `windowStart` to `windowStart + windowMs`; the first creation after it starts a new window.
// Only creations count: a refused request takes no place, and a creation that failed after its
// place was reserved gives it back (`release`).
import type { Actor } from '../auth/roles';

export const QUOTA_KINDS = ['phones', 'organizations'] as const;
export type QuotaKind = (typeof QUOTA_KINDS)[number];

export interface QuotaRule {
  /** creations allowed per window; 0: no limit */
  max: number;
  windowMs: number;
}

/** What the counter of one key holds. */
export interface QuotaWindow {
  count: number;
  /** milliseconds since the epoch */
  windowStart: number;
}

export type QuotaDecision = { allowed: true; next: QuotaWindow } | { allowed: false; retryAfterSeconds: number };

/** The rules the settings give (CREATE_PHONES_PER_MINUTE, CREATE_ORGANIZATIONS_PER_HOUR). */
export function quotaRules(settings: { CREATE_PHONES_PER_MINUTE: number; CREATE_ORGANIZATIONS_PER_HOUR: number }): Record<QuotaKind, QuotaRule> {
  return {
    phones: { max: settings.CREATE_PHONES_PER_MINUTE, windowMs: 60_000 },
    organizations: { max: settings.CREATE_ORGANIZATIONS_PER_HOUR, windowMs: 3_600_000 },
  };
}

/** Whose quota a request counts against: the token or the user, never shared between them. */
export function quotaKey(kind: QuotaKind, actor: Pick<Actor, 'type' | 'id'> | null): string {
  return `${kind}|${actor ? `${actor.type}:${actor.id}` : 'system'}`;
}

/** One more creation for a key whose counter holds `current` (null: none yet), at `now`. */
export function decide(current: QuotaWindow | null, rule: QuotaRule, now: number): QuotaDecision {
  if (!current || now - current.windowStart >= rule.windowMs || now < current.windowStart) {
    return { allowed: true, next: { count: 1, windowStart: now } };
  }
  if (current.count < rule.max) return { allowed: true, next: { count: current.count + 1, windowStart: current.windowStart } };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((current.windowStart + rule.windowMs - now) / 1000)) };
}

/**
 * The counter after giving back one place taken in the window that began at `takenIn`; null when
 * there is nothing to give back (a newer window began since: the place lapsed with its window).
 */
export function giveBack(current: QuotaWindow | null, takenIn: number): QuotaWindow | null {
  if (!current || current.windowStart !== takenIn || current.count <= 0) return null;
  return { count: current.count - 1, windowStart: current.windowStart };
}

/** The words of a refusal: what was limited, the limit and when to try again. */
export function quotaMessage(kind: QuotaKind, rule: QuotaRule, retryAfterSeconds: number): string {
  const per = rule.windowMs === 60_000 ? 'minute' : rule.windowMs === 3_600_000 ? 'hour' : `${Math.round(rule.windowMs / 1000)} s`;
  const what = kind === 'phones' ? 'phones added' : 'organizations created';
  return `Too many ${what}: at most ${rule.max} per ${per} for each token or user. Try again in ${retryAfterSeconds} s.`;
}
