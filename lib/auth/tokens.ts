// API tokens for scripts: `wac_` + 32 random bytes. Only the SHA-256 is stored; the plaintext is
// returned once at creation. Revocation is checked on every request, so it takes effect at once.
import crypto from 'node:crypto';
import type { Db } from '../db/client';
import { roleOfScopes, scopesGrantContent, type Actor, type TokenScope } from './roles';

const PREFIX = 'wac_';
/** lastUsedAt is written at most this often per token, to keep reads cheap. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export interface TokenInfo {
  id: number;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

type Row = { id: number; name: string; prefix: string; scopes: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };
const toInfo = (t: Row): TokenInfo => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes.split(',').filter(Boolean) as TokenScope[],
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

export async function createToken(
  db: Db,
  input: { name: string; scopes?: TokenScope[]; createdById?: number | null },
): Promise<{ token: string; info: TokenInfo }> {
  const token = PREFIX + crypto.randomBytes(32).toString('base64url');
  const row = await db.apiToken.create({
    data: {
      name: input.name,
      tokenHash: hashToken(token),
      prefix: token.slice(0, PREFIX.length + 6),
      scopes: (input.scopes?.length ? input.scopes : ['admin']).join(','),
      createdById: input.createdById ?? null,
    },
  });
  return { token, info: toInfo(row) };
}

/** The actor for a valid, unrevoked token, else null. */
export async function verifyToken(db: Db, token: string): Promise<Actor | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.revokedAt) return null;
  const role = roleOfScopes(row.scopes);
  if (!role) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { type: 'token', id: row.id, name: row.name, role, content: scopesGrantContent(row.scopes) };
}

export async function listTokens(db: Db): Promise<TokenInfo[]> {
  const rows = await db.apiToken.findMany({ orderBy: { id: 'desc' } });
  return rows.map(toInfo);
}

/** Revokes a token; returns null for an unknown id. Revoking twice keeps the first time. */
export async function revokeToken(db: Db, id: number): Promise<TokenInfo | null> {
  const row = await db.apiToken.findUnique({ where: { id } });
  if (!row) return null;
  if (row.revokedAt) return toInfo(row);
  return toInfo(await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } }));
}
