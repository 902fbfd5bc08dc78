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

/** The one place the row timestamps come from (`updatedAt`, which the session list cache watches, included). */
export const stamp = () => new Date();
