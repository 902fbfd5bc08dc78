// API tokens for scripts: `wac_` + 32 random bytes. Only the SHA-256 is stored; the plaintext is
// returned once at creation. A valid token's check is cached for TOKEN_CACHE_TTL_MS (token-cache.ts),
// and a revocation answers only once that time has passed since it was written, so once revoked a
// token is refused by every process from the next request on (docs/security.md, "API tokens").
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/client';
import { getConfig } from '../config';
import { getLogger } from '../logger';
import { roleOfScopes, scopesGrantContent, type Actor, type TokenScope } from './roles';
import { lastUsedDue, TokenCheckCache } from './token-cache';

const PREFIX = 'wac_';
/** lastUsedAt is written at most this often per token (per process), after the answer: never on the request's path. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Tokens whose checks one process keeps (least recently used dropped first). */
const TOKEN_CACHE_CAPACITY = 1000;

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

const holder = globalThis as unknown as {
  __tokenChecks?: { ttlMs: number; cache: TokenCheckCache<Actor> };
  /** token hash → when this process last wrote (or read) its lastUsedAt */
  __tokenLastUsed?: Map<string, number>;
};

function checks(): TokenCheckCache<Actor> {
  const ttlMs = getConfig().TOKEN_CACHE_TTL_MS;
  if (holder.__tokenChecks?.ttlMs !== ttlMs) holder.__tokenChecks = { ttlMs, cache: new TokenCheckCache(ttlMs, TOKEN_CACHE_CAPACITY) };
  return holder.__tokenChecks.cache;
}

/**
 * Records a use of the token: its lastUsedAt is written when due (at most once per
 * LAST_USED_RESOLUTION_MS per process), without the request waiting for it. A failed write
 * (database down) is logged and tried again at the next due use.
 */
function noteUse(db: Db, tokenHash: string, id: number, storedLastUsed: Date | null): void {
  const written = (holder.__tokenLastUsed ??= new Map());
  const now = Date.now();
  if (!written.has(tokenHash) && storedLastUsed) written.set(tokenHash, storedLastUsed.getTime());
  if (!lastUsedDue(written.get(tokenHash) ?? null, now, LAST_USED_RESOLUTION_MS)) return;
  written.set(tokenHash, now);
  db.apiToken.updateMany({ where: { id }, data: { lastUsedAt: new Date(now) } }).catch((err: unknown) => {
    written.delete(tokenHash);
    getLogger().warn({ err, tokenId: id }, 'could not record the API token\'s last use');
  });
}

/** One database check of a token: the actor for a valid, unrevoked token, else null (and its lastUsedAt). */
async function readToken(db: Db, tokenHash: string): Promise<{ actor: Actor; lastUsedAt: Date | null } | null> {
  const row = await db.apiToken.findUnique({ where: { tokenHash }, select: { id: true, name: true, scopes: true, revokedAt: true, lastUsedAt: true } });
  if (!row || row.revokedAt) return null;
  const role = roleOfScopes(row.scopes);
  if (!role) return null;
  return { actor: { type: 'token', id: row.id, name: row.name, role, content: scopesGrantContent(row.scopes) }, lastUsedAt: row.lastUsedAt };
}

/**
 * The actor for a valid, unrevoked token, else null. A valid token's check is reused for
 * TOKEN_CACHE_TTL_MS after the read that made it started (0: every request reads the row).
 */
export async function verifyToken(db: Db, token: string): Promise<Actor | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const key = hashToken(token);
  const cache = checks();
  const cached = cache.get(key, performance.now());
  if (cached) {
    noteUse(db, key, cached.id, null);
    return { ...cached }; // a copy: no caller can change what the next request gets
  }
  const startedAt = performance.now();
  const found = await readToken(db, key);
  if (!found) return null;
  cache.set(key, found.actor, startedAt, performance.now());
  noteUse(db, key, found.actor.id, found.lastUsedAt);
  return { ...found.actor };
}

export async function listTokens(db: Db): Promise<TokenInfo[]> {
  const rows = await db.apiToken.findMany({ orderBy: { id: 'desc' } });
  return rows.map(toInfo);
}

/**
 * Revokes a token; returns null for an unknown id. Revoking twice keeps the first time. Answers
 * once the revocation holds everywhere: TOKEN_CACHE_TTL_MS after the write committed, when every
 * process's cached check of the token (each read before that commit) has expired. A repeated
 * revocation waits as long (the first may still be inside its wait).
 */
export async function revokeToken(db: Db, id: number): Promise<TokenInfo | null> {
  const row = await db.apiToken.findUnique({ where: { id } });
  if (!row) return null;
  const revoked = row.revokedAt ? row : await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  checks().delete(row.tokenHash);
  const ttlMs = getConfig().TOKEN_CACHE_TTL_MS;
  if (ttlMs > 0) await sleep(ttlMs);
  checks().delete(row.tokenHash);
  return toInfo(revoked);
}
