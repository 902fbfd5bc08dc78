import crypto from 'node:crypto';
import type { Db } from '../db/client';
import { hashPassword, verifyPassword } from './password';

let dummyHash: Promise<string> | undefined;
import type { Role } from './roles';

export interface PublicUser {
  id: number;
  email: string;
  name: string | null;
  role: Role;
}

const toPublic = (u: { id: number; email: string; name: string | null; role: string }): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role === 'viewer' ? 'viewer' : 'admin',
});

export async function createUser(
  db: Db,
  input: { email: string; password: string; role?: Role; name?: string },
  cost?: number,
): Promise<PublicUser> {
  const user = await db.user.create({
    data: {
      email: input.email.toLowerCase(),
      name: input.name ?? null,
      role: input.role ?? 'admin',
      passwordHash: await hashPassword(input.password, cost),
    },
  });
  return toPublic(user);
}

/** The user when email and password match, else null (same answer for unknown email and bad password). */
export async function verifyCredentials(db: Db, email: string, password: string): Promise<PublicUser | null> {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) {
    // Spend comparable time so the response does not reveal whether the email exists.
    dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
    await verifyPassword(password, await dummyHash);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return toPublic(user);
}

export async function findUser(db: Db, id: number): Promise<PublicUser | null> {
  const user = await db.user.findUnique({ where: { id } });
  return user ? toPublic(user) : null;
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
