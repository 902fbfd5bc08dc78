// Managing the console's users from the console (the Users page and /api/users): invite with a
// generated one-time password, change a role, sign out everywhere, delete. Every change is audited
// and ends the user's sign-in sessions (lib/auth/users.ts). The last admin can neither be demoted
// nor deleted, so the console always keeps someone who can manage it.
import crypto from 'node:crypto';
import type { Db } from '../db/client';
import { recordAudit } from '../audit';
import { ConflictError, NotFoundError } from '../errors';
import type { Actor, Role } from './roles';
import { createUser, deleteUser, endUserSessions, setUserRole, type PublicUser } from './users';

export interface UserRow extends PublicUser {
  createdAt: string;
  lastLoginAt: string | null;
}

/** A password to hand over once: 16 URL-safe characters (96 bits). */
export const generatePassword = (): string => crypto.randomBytes(12).toString('base64url');

export async function listUserRows(db: Db): Promise<UserRow[]> {
  const rows = await db.user.findMany({ orderBy: { id: 'asc' } });
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as Role,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  }));
}

/** Creates a user with a generated password, returned once (only its hash is stored). */
export async function inviteUser(
  db: Db,
  input: { email: string; role: Role; name?: string },
  actor: Actor | null,
): Promise<{ user: PublicUser; password: string }> {
  const email = input.email.toLowerCase();
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new ConflictError(`A user with email ${email} exists already`, undefined, 'user_exists');
  }
  const password = generatePassword();
  let user: PublicUser;
  try {
    user = await createUser(db, { email, password, role: input.role, name: input.name });
  } catch (err) {
    // Two invitations of one email at once: the unique index refused the second.
    if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
      throw new ConflictError(`A user with email ${email} exists already`, undefined, 'user_exists');
    }
    throw err;
  }
  await recordAudit(db, { actor, action: 'user.invite', targetType: 'user', targetId: user.id, result: 'ok', detail: { email, role: user.role } });
  return { user, password };
}

async function requireUser(db: Db, id: number) {
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, role: true } });
  if (!user) throw new NotFoundError('User not found');
  return user;
}

/** Refuses a change that would leave the console without an admin. */
async function keepAnAdmin(db: Db, user: { id: number; role: string }, what: string): Promise<void> {
  if (user.role !== 'admin') return;
  const others = await db.user.count({ where: { role: 'admin', id: { not: user.id } } });
  if (others === 0) throw new ConflictError(`Cannot ${what} the last admin: make another user admin first`, undefined, 'last_admin');
}

export async function changeUserRole(db: Db, id: number, role: Role, actor: Actor | null): Promise<PublicUser> {
  const user = await requireUser(db, id);
  if (role !== 'admin') await keepAnAdmin(db, user, 'demote');
  const updated = await setUserRole(db, id, role);
  if (!updated) throw new NotFoundError('User not found');
  await recordAudit(db, { actor, action: 'user.role', targetType: 'user', targetId: id, result: 'ok', detail: { email: user.email, from: user.role, to: role } });
  return updated;
}

export async function signOutUser(db: Db, id: number, actor: Actor | null): Promise<void> {
  const user = await requireUser(db, id);
  if (!(await endUserSessions(db, id))) throw new NotFoundError('User not found');
  await recordAudit(db, { actor, action: 'user.sign_out', targetType: 'user', targetId: id, result: 'ok', detail: { email: user.email } });
}

export async function removeUser(db: Db, id: number, actor: Actor | null): Promise<void> {
  const user = await requireUser(db, id);
  await keepAnAdmin(db, user, 'delete');
  if (!(await deleteUser(db, id))) throw new NotFoundError('User not found');
  await recordAudit(db, { actor, action: 'user.delete', targetType: 'user', targetId: id, result: 'ok', detail: { email: user.email } });
}
