// The session store: every SQL statement the sessions run — Signal keys, credentials, the phone's
// state, its events — goes through here, on SQLite and PostgreSQL alike (the dialect only decides
// how parameters are written). Writes and key reads are grouped: whatever arrives within one
// macrotask, from any number of phones, shares one transaction (one query for reads), and each
// caller resolves when its own write is committed (see batcher.ts). Prisma stays the connection
// (its driver adapters); the statements are ours, run on the driver under it (libsql's client,
// the pg pool: Prisma 6.19 compiles every query anew, raw ones included, issue 24's CPU per
// message), through $executeRawUnsafe / $queryRawUnsafe only when the driver is out of reach.
import type pg from 'pg';
import { pgPool, sqliteDirect, type Db } from '../../db/client';
import { directRows, inlineAtomic, libsqlArgs, pgArgs, providerOfDb, rawQuery } from '../../db/raw';
import type { SqliteDirect } from '../../db/sqlite-adapter';
import type { DbProvider } from '../../db/provider';
import { Batcher } from './batcher';
import { FleetSql, isFenceRefusal } from '../../fleet/sql';
import { isDatabaseUnavailable } from '../../db/unavailable';
import { DIALECTS, SqlBuilder, senderSessionPatterns, type KeyRef, type KeyRow, type PhoneStateWrite, type SessionEventWrite, type Statement } from './sql';

import type { OutboxWrite } from './outbox';

export type { IntervalWrite, PhoneStateWrite, SessionEventWrite, Statement } from './sql';
export { DIALECTS, Params, stamp } from './sql';
export { Batcher } from './batcher';
export { Outbox, OUTBOX_LIMIT, type OutboxWrite } from './outbox';
export { isDatabaseUnavailable } from '../../db/unavailable';

export interface KeyChange {
  upserts: { type: string; keyId: string; data: string }[];
  deletes: { type: string; keyId: string }[];
}

/** The owner's fencing token of a phone: its writes carry it and the database refuses stale ones. */
export interface Fence {
  nodeId: string;
  epoch: number;
}

/** A phone's write was refused because another node owns the phone now. */
export class StaleOwnerError extends Error {
  constructor(readonly phoneId: number) {
    super(`Phone ${phoneId} is owned by another node now: write refused`);
    this.name = 'StaleOwnerError';
  }
}

export interface SessionStore {
  readonly provider: DbProvider;
  /** From now on every write of the phone carries this fence (null: unfenced). */
  setFence(phoneId: number, fence: Fence | null): void;
  /** Called once per refused write, with the phone whose ownership moved. */
  onStaleOwner(listener: (phoneId: number) => void): () => void;
  /**
   * Whether this node may open the phone's socket now: true when the phone is unfenced, or its
   * owner row still names this fence with a live lease (checked in the database). When it does
   * not, the stale-owner listeners hear of it, as for a refused write. Rejects when the database
   * cannot answer.
   */
  holdsPhone(phoneId: number): Promise<boolean>;
  /** a phone's credentials (BufferJSON text), or null */
  readCreds(phoneId: number): Promise<string | null>;
  saveCreds(phoneId: number, data: string): Promise<void>;
  /** the stored keys of one type among `ids`: id → data; generic over type and id */
  readKeys(phoneId: number, type: string, ids: string[]): Promise<Map<string, string>>;
  /** applies one keys.set() atomically: all of it or nothing */
  writeKeys(phoneId: number, change: KeyChange): Promise<void>;
  /** deletes every Signal session of a sender (all devices, phone-number and LID forms); returns how many */
  deleteSenderSessions(phoneId: number, senderUser: string): Promise<number>;
  /** forgets a phone's credentials and keys */
  clearAuth(phoneId: number): Promise<void>;
  writePhoneState(phoneId: number, data: PhoneStateWrite): Promise<void>;
  insertEvent(event: SessionEventWrite): Promise<void>;
  /** a phone's state and event writes, atomically and in order */
  writeSession(phoneId: number, writes: OutboxWrite[]): Promise<void>;
  /**
   * Other statements of the phone (its messages: lib/messages), fenced like every write of the
   * phone and run atomically; returns each statement's row count.
   */
  writeStatements(phoneId: number, statements: Statement[]): Promise<number[]>;
  /** resolves when the database answers */
  ping(): Promise<void>;
}

/** One unit of the write batcher: the statements of one call, or one phone's key change (merged with others'). */
interface WriteItem {
  keys?: { upserts: KeyRow[]; deletes: KeyRef[] };
  statements?: Statement[];
  /** the phone whose keys `statements` touch (so they are never merged around that phone's key change) */
  keyPhone?: number;
  /** the phone the write belongs to, with its fence when the phone is fenced */
  phoneId?: number;
  fence?: Fence;
}

interface ReadItem {
  phoneId: number;
  type: string;
  ids: string[];
}

export interface StoreOptions {
  /** SQLite: run statements on Prisma's libsql client under Prisma's lock ('direct', the default) or through Prisma ('prisma') */
  sqlite?: 'direct' | 'prisma';
  /** PostgreSQL: run statements on the pg pool under Prisma's adapter ('direct', the default) or through Prisma ('prisma') */
  postgresql?: 'direct' | 'prisma';
  writeConcurrency?: number;
  readConcurrency?: number;
  maxItems?: number;
}

export class SqlSessionStore implements SessionStore {
  readonly provider: DbProvider;
  private readonly sql: SqlBuilder;
  private readonly fleetSql: FleetSql;
  private readonly fences = new Map<number, Fence>();
  private readonly staleListeners = new Set<(phoneId: number) => void>();
  readonly writes: Batcher<WriteItem, number[]>;
  readonly reads: Batcher<ReadItem, Map<string, string>>;
  readonly credsReads: Batcher<number, string | null>;

  constructor(
    private readonly db: Db,
    provider: DbProvider,
    opts: StoreOptions = {},
  ) {
    this.provider = provider;
    this.useDirect = provider === 'sqlite' && (opts.sqlite ?? 'direct') === 'direct';
    this.usePool = provider === 'postgresql' && (opts.postgresql ?? 'direct') === 'direct';
    this.sql = new SqlBuilder(DIALECTS[provider]);
    this.fleetSql = new FleetSql(provider);
    const pg = provider === 'postgresql';
    // A batch that failed because the database is unreachable fails as a whole: retrying its items
    // one by one would only fail each of them again.
    const retryItems = (err: unknown) => !isDatabaseUnavailable(err);
    this.writes = new Batcher((items) => this.runWrites(items), { maxItems: opts.maxItems ?? 256, concurrency: opts.writeConcurrency ?? (pg ? 2 : 1), retryItems });
    this.reads = new Batcher((items) => this.runReads(items), { maxItems: opts.maxItems ?? 256, concurrency: opts.readConcurrency ?? (pg ? 4 : 2), retryItems });
    this.credsReads = new Batcher((ids) => this.runCredsReads(ids), { maxItems: opts.maxItems ?? 256, concurrency: opts.readConcurrency ?? (pg ? 4 : 2), retryItems });
  }

  /** How statements run: 'direct' on SQLite's client (see lib/db/sqlite-adapter.ts), else through Prisma. */
  get driver(): 'direct' | 'prisma' {
    return this.useDirect || this.usePool ? 'direct' : 'prisma';
  }
  private useDirect: boolean;
  private usePool: boolean;

  private async pool(): Promise<pg.Pool | null> {
    if (!this.usePool) return null;
    const pool = await pgPool(this.db);
    if (!pool) this.usePool = false;
    return pool;
  }

  private async direct(): Promise<SqliteDirect | null> {
    if (!this.useDirect) return null;
    const direct = await sqliteDirect(this.db);
    if (!direct) this.useDirect = false;
    return direct;
  }

  private async query<T>(s: Statement): Promise<T[]> {
    if (await this.pool()) return rawQuery<T>(this.db, s);
    const direct = await this.direct();
    return direct ? directRows<T>(direct, s) : this.db.$queryRawUnsafe<T[]>(s.sql, ...s.params);
  }

  /** Several statements in one transaction, in one round trip (lib/db/raw.ts inlineAtomic); one runs alone with its parameters. */
  private async poolAtomic(pool: pg.Pool, statements: Statement[]): Promise<number[]> {
    if (statements.length === 1) return [(await pool.query(statements[0].sql, pgArgs(statements[0].params))).rowCount ?? 0];
    return inlineAtomic(pool, statements);
  }

  /** Several statements atomically; one runs alone (a statement is atomic by itself). */
  private async atomic(statements: Statement[]): Promise<number[]> {
    if (!statements.length) return [];
    const pool = await this.pool();
    if (pool) return this.poolAtomic(pool, statements);
    const direct = await this.direct();
    if (!direct) {
      if (statements.length === 1) return [await this.db.$executeRawUnsafe(statements[0].sql, ...statements[0].params)];
      return this.db.$transaction(statements.map((s) => this.db.$executeRawUnsafe(s.sql, ...s.params)));
    }
    const release = await direct.lock.acquire();
    try {
      const stmts = statements.map((s) => ({ sql: s.sql, args: libsqlArgs(s.params) }));
      if (stmts.length === 1) return [(await direct.client.execute(stmts[0])).rowsAffected];
      // One transaction on the same connection (BEGIN IMMEDIATE … COMMIT, rolled back on error).
      return (await direct.client.batch(stmts, 'write')).map((r) => r.rowsAffected);
    } finally {
      release();
    }
  }

  setFence(phoneId: number, fence: Fence | null) {
    if (fence) this.fences.set(phoneId, fence);
    else this.fences.delete(phoneId);
  }

  onStaleOwner(listener: (phoneId: number) => void) {
    this.staleListeners.add(listener);
    return () => void this.staleListeners.delete(listener);
  }

  async holdsPhone(phoneId: number): Promise<boolean> {
    const fence = this.fences.get(phoneId);
    if (!fence) return true;
    const rows = await this.query<{ ok: number }>(this.fleetSql.holds(phoneId, fence.nodeId, fence.epoch));
    if (rows.length) return true;
    if (this.fences.get(phoneId) === fence) for (const listener of this.staleListeners) listener(phoneId);
    return false;
  }

  /** The fence statements of a batch, one per fenced phone, run first in its transaction. */
  private fenceStatements(items: WriteItem[]): Statement[] {
    const fenced = new Map<number, Fence>();
    for (const item of items) if (item.phoneId !== undefined && item.fence) fenced.set(item.phoneId, item.fence);
    return [...fenced].map(([phoneId, f]) => this.fleetSql.fence(phoneId, f.nodeId, f.epoch));
  }

  /** Hands a write to the batcher, tagged with its phone's fence; a refusal becomes StaleOwnerError. */
  private async write(phoneId: number, item: WriteItem): Promise<number[]> {
    const fence = this.fences.get(phoneId);
    try {
      return await this.writes.add({ ...item, phoneId, fence });
    } catch (err) {
      if (!fence || !isFenceRefusal(err)) throw err;
      // Only when the refused fence is still the phone's: a write of an abandoned session refused
      // after this node moved the phone's epoch on must not stop the session that runs it now.
      if (this.fences.get(phoneId) === fence) for (const listener of this.staleListeners) listener(phoneId);
      throw new StaleOwnerError(phoneId);
    }
  }

  private itemStatements(item: WriteItem): Statement[] {
    const out: Statement[] = [];
    if (item.keys?.deletes.length) out.push(...this.sql.deleteKeys(item.keys.deletes));
    if (item.keys?.upserts.length) out.push(...this.sql.upsertKeys(item.keys.upserts));
    if (item.statements) out.push(...item.statements);
    return out;
  }

  /** True when the key changes of different items never touch the same key or phone-wide statement. */
  private mergeable(items: WriteItem[]): boolean {
    const seen = new Set<string>();
    const keyPhones = new Set<number>();
    for (const item of items) {
      if (!item.keys) continue;
      for (const k of [...item.keys.deletes, ...item.keys.upserts]) {
        const id = `${k.phoneId}\u0000${k.type}\u0000${k.keyId}`;
        if (seen.has(id)) return false;
        seen.add(id);
        keyPhones.add(k.phoneId);
      }
    }
    return !items.some((item) => item.keyPhone !== undefined && keyPhones.has(item.keyPhone));
  }

  private async runWrites(items: WriteItem[]): Promise<number[][]> {
    const fences = this.fenceStatements(items);
    if (items.length === 1) return [(await this.atomic([...fences, ...this.itemStatements(items[0])])).slice(fences.length)];
    if (!this.mergeable(items)) {
      // Same keys in several items: keep each item's statements, in order, in one transaction.
      const per = items.map((item) => this.itemStatements(item));
      const counts = await this.atomic([...fences, ...per.flat()]);
      let at = fences.length;
      return per.map((s) => counts.slice(at, (at += s.length)));
    }
    // All key deletes in one statement, all key upserts in one, then the rest in order.
    const deletes = items.flatMap((i) => i.keys?.deletes ?? []);
    const upserts = items.flatMap((i) => i.keys?.upserts ?? []);
    const merged = [...fences, ...(deletes.length ? this.sql.deleteKeys(deletes) : []), ...(upserts.length ? this.sql.upsertKeys(upserts) : [])];
    const rest = items.map((i) => i.statements ?? []);
    const counts = await this.atomic([...merged, ...rest.flat()]);
    let at = merged.length;
    return rest.map((s) => counts.slice(at, (at += s.length)));
  }

  private async runReads(items: ReadItem[]): Promise<Map<string, string>[]> {
    // Merge the asks of the same phone and type, then one query (per few hundred ids).
    const wanted = new Map<string, ReadItem>();
    for (const item of items) {
      const k = `${item.phoneId}\u0000${item.type}`;
      const w = wanted.get(k) ?? { phoneId: item.phoneId, type: item.type, ids: [] };
      w.ids.push(...item.ids);
      wanted.set(k, w);
    }
    for (const w of wanted.values()) w.ids = [...new Set(w.ids)];
    const found = new Map<string, string>();
    for (const s of this.sql.selectKeys([...wanted.values()])) {
      const rows = await this.query<{ phoneId: number | bigint; type: string; keyId: string; data: string }>(s);
      for (const r of rows) found.set(`${Number(r.phoneId)}\u0000${r.type}\u0000${r.keyId}`, r.data);
    }
    return items.map((item) => {
      const out = new Map<string, string>();
      for (const id of item.ids) {
        const data = found.get(`${item.phoneId}\u0000${item.type}\u0000${id}`);
        if (data !== undefined) out.set(id, data);
      }
      return out;
    });
  }

  private async runCredsReads(phoneIds: number[]): Promise<(string | null)[]> {
    const found = new Map<number, string>();
    for (const s of this.sql.selectCreds([...new Set(phoneIds)])) {
      for (const r of await this.query<{ phoneId: number | bigint; data: string }>(s)) found.set(Number(r.phoneId), r.data);
    }
    return phoneIds.map((id) => found.get(id) ?? null);
  }

  readCreds(phoneId: number) {
    return this.credsReads.add(phoneId);
  }

  async saveCreds(phoneId: number, data: string) {
    await this.write(phoneId, { statements: [this.sql.upsertCreds(phoneId, data)] });
  }

  readKeys(phoneId: number, type: string, ids: string[]) {
    if (!ids.length) return Promise.resolve(new Map<string, string>());
    return this.reads.add({ phoneId, type, ids });
  }

  async writeKeys(phoneId: number, change: KeyChange) {
    if (!change.upserts.length && !change.deletes.length) return;
    await this.write(phoneId, {
      keys: {
        upserts: change.upserts.map((u) => ({ phoneId, ...u })),
        deletes: change.deletes.map((d) => ({ phoneId, ...d })),
      },
    });
  }

  async deleteSenderSessions(phoneId: number, senderUser: string) {
    const [count] = await this.write(phoneId, { statements: [this.sql.deleteKeysLike(phoneId, 'session', senderSessionPatterns(senderUser))], keyPhone: phoneId });
    return count;
  }

  async clearAuth(phoneId: number) {
    await this.write(phoneId, { statements: this.sql.clearAuth(phoneId), keyPhone: phoneId });
  }

  async writePhoneState(phoneId: number, data: PhoneStateWrite) {
    await this.write(phoneId, { statements: [this.sql.phoneState(phoneId, data)] });
  }

  async insertEvent(event: SessionEventWrite) {
    await this.write(event.phoneId, { statements: [this.sql.insertEvent(event)] });
  }

  async writeSession(phoneId: number, writes: OutboxWrite[]) {
    if (!writes.length) return;
    const statements = writes.flatMap((w) => {
      switch (w.kind) {
        case 'state':
          return [this.sql.phoneState(phoneId, w.data)];
        case 'event':
          return [this.sql.insertEvent(w.data)];
        case 'interval':
          return this.sql.interval(phoneId, w.data);
      }
    });
    await this.write(phoneId, { statements });
  }

  async writeStatements(phoneId: number, statements: Statement[]) {
    if (!statements.length) return [];
    return this.write(phoneId, { statements });
  }

  async ping() {
    await this.query({ sql: 'SELECT 1', params: [] });
  }
}

const stores = new WeakMap<Db, SessionStore>();

/** The store of a client (one per client, so every session of a process shares its batches). */
export function storeFor(db: Db): SessionStore {
  let store = stores.get(db);
  if (!store) {
    store = new SqlSessionStore(db, providerOfDb(db));
    stores.set(db, store);
  }
  return store;
}
