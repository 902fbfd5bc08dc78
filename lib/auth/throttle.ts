// Login throttle: at most `maxFailures` failed sign-ins per email+IP within `windowMs`.
// Failures are rows in the database so the limit holds across restarts and processes.
import type { Db } from '../db/client';

export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
}

export const throttleKey = (email: string, ip: string) => `${email.trim().toLowerCase()}|${ip}`;

/** Seconds until the next attempt is allowed, or 0 when allowed now. */
export async function loginBlockedFor(db: Db, key: string, opts: ThrottleOptions, now = new Date()): Promise<number> {
  const since = new Date(now.getTime() - opts.windowMs);
  const failures = await db.loginFailure.findMany({
    where: { key, createdAt: { gt: since } },
    orderBy: { createdAt: 'asc' },
    select: { createdAt: true },
  });
  if (failures.length < opts.maxFailures) return 0;
  // Allowed again once the oldest failure that keeps the count at the limit leaves the window.
  const pivot = failures[failures.length - opts.maxFailures].createdAt.getTime();
  return Math.max(1, Math.ceil((pivot + opts.windowMs - now.getTime()) / 1000));
}

export async function recordLoginFailure(db: Db, key: string): Promise<void> {
  await db.loginFailure.create({ data: { key } });
}

export async function clearLoginFailures(db: Db, key: string): Promise<void> {
  await db.loginFailure.deleteMany({ where: { key } });
}

export function throttleMessage(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/**
 * Takes one attempt for `key` before the password is checked, atomically: the attempt is written
 * first (as a failure, until proven otherwise), then the window is counted. Whatever the
 * interleaving, the attempt committed r-th sees at least r rows, so at most `maxFailures`
 * attempts in a window get `allowed`, however many arrive at once. A refused attempt removes its
 * row again (it does not extend the lock). After the password check call `succeeded()` (clears
 * the key) or nothing (the row stays as the failure).
 */
export async function reserveLoginAttempt(
  db: Db,
  key: string,
  opts: ThrottleOptions,
  now = new Date(),
): Promise<{ allowed: true; succeeded: () => Promise<void> } | { allowed: false; retryAfterSeconds: number }> {
  const row = await db.loginFailure.create({ data: { key, createdAt: now }, select: { id: true } });
  const since = new Date(now.getTime() - opts.windowMs);
  const count = await db.loginFailure.count({ where: { key, createdAt: { gt: since } } });
  if (count <= opts.maxFailures) return { allowed: true, succeeded: () => clearLoginFailures(db, key) };
  await db.loginFailure.deleteMany({ where: { id: row.id } });
  return { allowed: false, retryAfterSeconds: Math.max(1, await loginBlockedFor(db, key, opts, now)) };
}
