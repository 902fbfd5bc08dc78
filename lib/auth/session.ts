// Sign-in sessions are NextAuth JWT cookies, valid until they expire unless checked: every use of
// one (the API guard, the console layout, open event streams) re-reads the user's row by primary
// key and accepts the cookie only while the user exists, keeps the email it was issued for, still
// has a known role and the same session version. Sign-out, a role or password change and deletion
// bump or remove that row, so every cookie issued before is refused at its next use.
import type { Db } from '../db/client';
import { parseRole, type Actor } from './roles';

/** What the sign-in cookie carries (NextAuth's `sub` and `email`, and our `sv`). */
export interface SessionClaims {
  sub?: unknown;
  email?: unknown;
  sv?: unknown;
}

/** The user a sign-in cookie still stands for, or null when its session has ended. */
export async function sessionActor(db: Db, claims: SessionClaims | null | undefined): Promise<Actor | null> {
  if (!claims) return null;
  const id = Number(claims.sub);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  // Cookies issued before session versions existed carry none: they are refused (sign in again).
  if (typeof claims.sv !== 'number') return null;
  const user = await db.user.findUnique({ where: { id }, select: { email: true, role: true, sessionVersion: true } });
  if (!user || user.sessionVersion !== claims.sv) return null;
  if (typeof claims.email !== 'string' || claims.email.toLowerCase() !== user.email) return null;
  const role = parseRole(user.role);
  if (!role) return null;
  return { type: 'user', id, name: user.email, role };
}
