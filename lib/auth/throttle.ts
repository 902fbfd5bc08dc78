// Login throttle: at most `maxFailures` sign-in attempts per key (email | client address) are
// evaluated within a window that starts at the key's first attempt. Each attempt is counted with
// one atomic upsert *before* the password is checked, so however many arrive at once, exactly
// the first `maxFailures` are evaluated and the rest refused. A success clears the key. Kept in
// the database (LoginThrottle) so the limit holds across restarts and processes.
import type { Db } from '../db/client';

export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
}

export const throttleKey = (email: string, ip: string) => `${email.trim().toLowerCase()}|${ip}`;
/** Every sign-in from one client address, whatever the email (issue 21.3); the leading space keeps it apart from email keys (trimmed). */
export const addressThrottleKey = (ip: string) => ` address|${ip}`;
/** Invalid bearer tokens from one client address (issue 21.4), counted for the whole fleet. */
export const tokenThrottleKey = (ip: string) => ` token|${ip}`;

export type LoginAttempt = { allowed: true; succeeded: () => Promise<void> } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts one attempt for `key` and says whether its password may be checked. Call
 * `succeeded()` after a right password; a wrong one needs nothing (it stays counted). Refused
 * attempts are counted too but never move the window, so they do not extend the lock.
 */
export async function reserveLoginAttempt(db: Db, key: string, opts: ThrottleOptions, now = Date.now()): Promise<LoginAttempt> {
  const nowMs = BigInt(now);
  const sinceMs = BigInt(now - opts.windowMs);
  const rows = await db.$queryRaw<{ count: number | bigint; windowStart: number | bigint }[]>`
    INSERT INTO "LoginThrottle" ("key", "count", "windowStart") VALUES (${key}, 1, ${nowMs})
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "LoginThrottle"."windowStart" <= ${sinceMs} THEN 1 ELSE "LoginThrottle"."count" + 1 END,
      "windowStart" = CASE WHEN "LoginThrottle"."windowStart" <= ${sinceMs} THEN ${nowMs} ELSE "LoginThrottle"."windowStart" END
    RETURNING "count", "windowStart"`;
  const count = Number(rows[0].count);
  if (count <= opts.maxFailures) return { allowed: true, succeeded: () => clearLoginFailures(db, key) };
  const retryAfterMs = Number(rows[0].windowStart) + opts.windowMs - now;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}

/** Seconds until `key` may try again (0: now), without counting an attempt. */
export async function loginBlockedFor(db: Db, key: string, opts: ThrottleOptions, now = Date.now()): Promise<number> {
  const row = await db.loginThrottle.findUnique({ where: { key } });
  if (!row || row.count < opts.maxFailures) return 0;
  const left = Number(row.windowStart) + opts.windowMs - now;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

export async function clearLoginFailures(db: Db, key: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key } });
}

export function throttleMessage(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
