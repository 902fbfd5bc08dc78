// SQL as plain { sql, params } values, for one dialect at a time: what the session store
// (lib/sessions/store/sql.ts), the fleet (lib/fleet/sql.ts) and the messages (lib/messages/sql.ts)
// build their statements with. Both databases take the same statements (double-quoted identifiers,
// INSERT … ON CONFLICT); they differ only in how parameters are written, which the dialect decides.
import type { DbProvider } from './provider';

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface Dialect {
  provider: DbProvider;
  /** the placeholder of the n-th parameter (1-based) */
  param(n: number): string;
}

export const DIALECTS: Record<DbProvider, Dialect> = {
  sqlite: { provider: 'sqlite', param: () => '?' },
  postgresql: { provider: 'postgresql', param: (n) => `$${n}` },
};

/** Collects parameters and hands out their placeholders. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.param(this.values.length);
  }
}

/**
 * How many ids one statement binds at most. SQLite binds at most 999 values per statement, and
 * Prisma splits a long `in` list only for a plain read, not when other conditions come with it nor
 * for updateMany (issue 21.9): lists of ids that can grow with the fleet go in chunks of this size.
 */
export const ID_CHUNK = 500;

/** `list` in pieces of at most `size`. */
export function chunks<T>(list: readonly T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The one place the row timestamps come from (`updatedAt`, which the session list cache watches, included). */
export const stamp = () => new Date();
