// Hand-written statements run straight on the driver under Prisma's adapter (issue 28.3): the
// libsql client on SQLite (with the adapter's own lock, so a statement never interleaves with a
// Prisma transaction), the pg pool on PostgreSQL. Prisma 6.19's client engine compiles every query
// anew, raw ones included; the hot reads (a phone, a list page, a phone's traffic) skip that.
// Values come back as the driver gives them; `asDate` and `asNumber` read them the same on both.
import pg from 'pg';
import { prepareValue } from 'pg/lib/utils';
import { pgPool, sqliteDirect, type Db } from './client';
import type { DbProvider } from './provider';
import type { SqliteDirect } from './sqlite-adapter';
import type { Statement } from './sql';

/** The provider a Prisma client was generated for. */
export function providerOfDb(db: Db): DbProvider {
  const provider = (db as unknown as { _activeProvider?: string })._activeProvider;
  return provider === 'postgresql' ? 'postgresql' : 'sqlite';
}

/** Parameters as Prisma's libsql adapter writes them (DateTime as ISO 8601 with +00:00), so Prisma reads them back alike. */
export function libsqlArgs(params: unknown[]) {
  return params.map((p) => (p instanceof Date ? p.toISOString().replace('Z', '+00:00') : p)) as (string | number | null)[];
}

/**
 * Parameters for node-postgres. A Date goes as its UTC ISO text: the columns are `timestamp`
 * without a time zone holding UTC (as Prisma writes them), and pg would otherwise send local time.
 */
export function pgArgs(params: unknown[]) {
  return params.map((p) => (p instanceof Date ? p.toISOString() : p));
}

/**
 * A statement with its `$n` parameters written in as quoted literals, the text node-postgres would
 * send for each (pg's prepareValue: a Date as its UTC ISO text here, an object as JSON), escaped by
 * pg's escapeLiteral; a Buffer as bytea hex, null as NULL. Quoted, each is of unknown type until
 * its context types it, as a parameter is. `$n` inside a quoted literal or identifier is left alone.
 * For several statements in one round trip (`inlineAtomic`): a query with parameters is one statement.
 */
export function inlineParams(sql: string, params: unknown[]): string {
  const literal = (n: number): string => {
    if (n < 1 || n > params.length) throw new Error(`statement refers to $${n} of ${params.length} parameters`);
    const v = prepareValue(pgArgs([params[n - 1]])[0]);
    if (v === null || v === undefined) return 'NULL';
    if (Buffer.isBuffer(v)) return pg.escapeLiteral(`\\x${v.toString('hex')}`);
    return pg.escapeLiteral(String(v));
  };
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // copy the quoted run whole ('' and "" are escaped quotes inside it)
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$' && /\d/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (/\d/.test(sql[j] ?? '')) j++;
      out += literal(Number(sql.slice(i + 1, j)));
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Several statements atomically in one round trip: one simple query, which PostgreSQL runs as one
 * implicit transaction (a failing statement skips the rest and rolls all back, and the connection
 * goes back to the pool clean). A fenced write was BEGIN, the fence, the statements and COMMIT,
 * each a round trip (issue 24: the pg driver's socket writes were a tenth of the console's CPU per
 * message). Answers each statement's row count, in order.
 */
export async function inlineAtomic(pool: pg.Pool, statements: Statement[]): Promise<number[]> {
  const res = (await pool.query(statements.map((s) => inlineParams(s.sql, s.params)).join(';\n'))) as pg.QueryResult | pg.QueryResult[];
  return (Array.isArray(res) ? res : [res]).map((r) => r.rowCount ?? 0);
}

// Timestamps as their text (read by asDate as UTC, whatever the process's zone), int8 (counts) as numbers.
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const INT8 = 20;
const NUMERIC = 1700;
const pgTypes = {
  getTypeParser: (oid: number, format?: string) => {
    if (oid === TIMESTAMP || oid === TIMESTAMPTZ) return (v: string) => v;
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** The rows of one statement, run on the driver (through Prisma only when the driver is out of reach). */
export async function rawQuery<T>(db: Db, s: Statement): Promise<T[]> {
  const pool = await pgPool(db);
  if (pool) {
    const res = await pool.query({ text: s.sql, values: pgArgs(s.params), types: pgTypes as pg.CustomTypesConfig });
    return res.rows as T[];
  }
  const direct = providerOfDb(db) === 'sqlite' ? await sqliteDirect(db) : null;
  return direct ? directRows<T>(direct, s) : db.$queryRawUnsafe<T[]>(s.sql, ...s.params);
}

/** The rows of one statement on SQLite's libsql client, under the adapter's lock (the session store's reads too). */
export async function directRows<T>(direct: SqliteDirect, s: Statement): Promise<T[]> {
  const release = await direct.lock.acquire();
  try {
    const res = await direct.client.execute({ sql: s.sql, args: libsqlArgs(s.params) });
    return res.rows.map((row) => Object.fromEntries(res.columns.map((c) => [c, row[c]]))) as T[];
  } finally {
    release();
  }
}

/**
 * A stored timestamp as a Date: a Date (through Prisma), ISO text with or without a zone (SQLite:
 * as Prisma writes it; PostgreSQL: `timestamp` text, UTC), or epoch milliseconds.
 */
export function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v));
  const text = String(v).replace(' ', 'T');
  return new Date(/(Z|[+-]\d\d(:?\d\d)?)$/.test(text) ? text : `${text}Z`);
}

/** A count or number as the driver gives it (number, bigint or numeric text). */
export function asNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}
