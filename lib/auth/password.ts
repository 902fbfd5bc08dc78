import bcrypt from 'bcryptjs';

/** bcrypt cost; tests lower it through BCRYPT_COST-free option to stay fast. */
const DEFAULT_COST = 12;

export function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
