import crypto from 'node:crypto';
import type { Db } from '../db/client';
import { hashPassword, verifyPassword } from './password';
import { parseRole, type Role } from './roles';

let dummyHash: Promise<string> | undefined;

export interface PublicUser {
  id: number;
  email: string;
  name: string | null;
  role: Role;
}

/** The user as the app sees it, or null when the stored role is not a known one (it grants nothing). */
const toPublic = (u: { id: number; email: string; name: string | null; role: string }): PublicUser | null => {
  const role = parseRole(u.role);
  return role ? { id: u.id, email: u.email, name: u.name, role } : null;
};

export async function createUser(
  db: Db,
  input: { email: string; password: string; role?: Role; name?: string },
  cost?: number,
): Promise<PublicUser> {
  const role = parseRole(input.role ?? 'admin');
  if (!role) throw new Error(`Unknown role: ${String(input.role)}`);
  const user = await db.user.create({
    data: {
      email: input.email.toLowerCase(),
      name: input.name ?? null,
      role,
      passwordHash: await hashPassword(input.password, cost),
    },
  });
  return toPublic(user)!;
}

/**
 * The user when email and password match and the role is a known one, else null (same answer for
 * unknown email, bad password and unknown role). `sessionVersion` goes into the sign-in cookie.
 */
export async function verifyCredentials(
  db: Db,
  email: string,
  password: string,
): Promise<(PublicUser & { sessionVersion: number }) | null> {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) {
    // Spend comparable time so the response does not reveal whether the email exists.
    dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
    await verifyPassword(password, await dummyHash);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  const known = toPublic(user);
  if (!known) return null;
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { ...known, sessionVersion: user.sessionVersion };
}

export async function findUser(db: Db, id: number): Promise<PublicUser | null> {
  const user = await db.user.findUnique({ where: { id } });
  return user ? toPublic(user) : null;
}

export async function findUserByEmail(db: Db, email: string): Promise<PublicUser | null> {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  return user ? toPublic(user) : null;
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  const rows = await db.user.findMany({ orderBy: { id: 'asc' } });
  return rows.map(toPublic).filter((u): u is PublicUser => u !== null);
}

// Every change to who a user is or what they may do ends their sign-in sessions: the cookie
// carries the session version it was issued with, and the guard refuses an older one.

/** Ends every sign-in session of the user (sign-out everywhere). False for an unknown id. */
export async function endUserSessions(db: Db, id: number): Promise<boolean> {
  const { count } = await db.user.updateMany({ where: { id }, data: { sessionVersion: { increment: 1 } } });
  return count > 0;
}

/** Changes the role and ends the user's sessions. Null for an unknown id. */
export async function setUserRole(db: Db, id: number, role: Role): Promise<PublicUser | null> {
  if (!parseRole(role)) throw new Error(`Unknown role: ${String(role)}`);
  const { count } = await db.user.updateMany({ where: { id }, data: { role, sessionVersion: { increment: 1 } } });
  return count > 0 ? findUser(db, id) : null;
}

/** Sets a new password and ends the user's sessions. False for an unknown id. */
export async function setUserPassword(db: Db, id: number, password: string, cost?: number): Promise<boolean> {
  const passwordHash = await hashPassword(password, cost);
  const { count } = await db.user.updateMany({ where: { id }, data: { passwordHash, sessionVersion: { increment: 1 } } });
  return count > 0;
}

/** Deletes the user; their cookies then name no user and are refused. False for an unknown id. */
export async function deleteUser(db: Db, id: number): Promise<boolean> {
  const { count } = await db.user.deleteMany({ where: { id } });
  return count > 0;
}

/**
 * Creates the first admin when there is no user at all. Returns the generated password when
 * ADMIN_PASSWORD was not given (the caller prints it once), else null.
 */
export async function ensureFirstAdmin(
  db: Db,
  opts: { email: string; password?: string; cost?: number },
): Promise<{ created: boolean; generatedPassword: string | null }> {
  if ((await db.user.count()) > 0) return { created: false, generatedPassword: null };
  const generated = opts.password ? null : crypto.randomBytes(12).toString('base64url');
  try {
    await createUser(db, { email: opts.email, password: opts.password ?? generated!, role: 'admin', name: 'Administrator' }, opts.cost);
  } catch (err) {
    // Two processes starting at once: the other one created it.
    if ((await db.user.count()) > 0) return { created: false, generatedPassword: null };
    throw err;
  }
  return { created: true, generatedPassword: generated };
}
