// The creation counters in the database (model CreationQuota), shared by every node of a fleet.
// Each change is a compare-and-set on the row the decision was made from (policy.ts decides), so
// two nodes that read the same counter never both take its last place: the loser reads again.
import type { Db } from '../db/client';
import type { Actor } from '../auth/roles';
import { RateLimitedError } from '../errors';
import { decide, giveBack, quotaKey, quotaMessage, type QuotaKind, type QuotaRule, type QuotaWindow } from './policy';

/** A place taken in a quota; give it back when the creation it was taken for did not happen. */
export interface QuotaReservation {
  release(): Promise<void>;
}

const NOTHING: QuotaReservation = { release: async () => {} };

/** Compare-and-set rounds before giving up (each lost round means another creation was counted). */
const MAX_ROUNDS = 50;

async function read(db: Db, key: string): Promise<QuotaWindow | null> {
  const row = await db.creationQuota.findUnique({ where: { key } });
  return row ? { count: row.count, windowStart: Number(row.windowStart) } : null;
}

/** Writes `next` only if the row still holds `current` (inserts when there was none); true when it did. */
async function swap(db: Db, key: string, current: QuotaWindow | null, next: QuotaWindow): Promise<boolean> {
  if (!current) {
    const inserted = await db.$executeRaw`INSERT INTO "CreationQuota" ("key", "count", "windowStart") VALUES (${key}, ${next.count}, ${BigInt(next.windowStart)}) ON CONFLICT ("key") DO NOTHING`;
    return inserted === 1;
  }
  // One statement (Prisma's updateMany reads first in a transaction, which SQLite cannot upgrade to
  // a write while another connection writes).
  const updated = await db.$executeRaw`UPDATE "CreationQuota" SET "count" = ${next.count}, "windowStart" = ${BigInt(next.windowStart)}
    WHERE "key" = ${key} AND "count" = ${current.count} AND "windowStart" = ${BigInt(current.windowStart)}`;
  return updated === 1;
}

/**
 * Takes one place in `actor`'s `kind` quota, or throws RateLimitedError (429, Retry-After) when it
 * is used up. A rule with `max` 0 is no limit (nothing is counted).
 */
export async function reserveCreation(db: Db, kind: QuotaKind, actor: Pick<Actor, 'type' | 'id'> | null, rule: QuotaRule, clock: () => number = Date.now): Promise<QuotaReservation> {
  if (rule.max <= 0) return NOTHING;
  const key = quotaKey(kind, actor);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const current = await read(db, key);
    const decision = decide(current, rule, clock());
    if (!decision.allowed) {
      throw new RateLimitedError(quotaMessage(kind, rule, decision.retryAfterSeconds), { quota: kind, limit: rule.max, windowSeconds: rule.windowMs / 1000, retryAfterSeconds: decision.retryAfterSeconds });
    }
    if (await swap(db, key, current, decision.next)) {
      const takenIn = decision.next.windowStart;
      return { release: () => releasePlace(db, key, takenIn) };
    }
  }
  // Only reached while other creations keep winning: refuse this one rather than count it unchecked.
  throw new RateLimitedError(`Too many creations at once for this token or user; try again shortly.`, { quota: kind, limit: rule.max, windowSeconds: rule.windowMs / 1000, retryAfterSeconds: 1 });
}

async function releasePlace(db: Db, key: string, takenIn: number): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const current = await read(db, key);
    const next = giveBack(current, takenIn);
    if (!next || (await swap(db, key, current, next))) return;
  }
}
