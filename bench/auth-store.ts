// Benchmark 2: the Signal key store, the console's database store (SQLite, PostgreSQL) against the
// store bare Baileys users run in production: useMultiFileAuthState's keys wrapped in Baileys' own
// makeCacheableSignalKeyStore. Both sides are then wrapped by addTransactionCapability, as
// makeWASocket does with whatever `auth.keys` it gets (lib/sessions/session.ts hands the socket
// loadDbAuthState's state as it is; the database store keeps its own read cache). So both sides
// cache reads in memory, and the comparison is store against store, not cache against disk.
//
// Each side runs at 1 phone and at P phones at once (default 100) with the same total work:
//   writes       M keys.set of one session record (what every received message does)
//   cold reads   K keys.get of one session each, on freshly loaded stores (after a restart: every
//                read goes to the backing store, one file or one query)
//   warm reads   the same K reads again (from the cache on both sides)
//   flow         the message-flow pattern: per message read the sender's session and write it
//                back; every 10th message consumes a pre-key (read + delete) and writes a sender key
// and counts what reached the backing store: files read/written, database statements that read or
// write. Only public entry points are used (loadDbAuthState, with the real client), so a new store
// behind them is measured the same way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { addTransactionCapability, makeCacheableSignalKeyStore, useMultiFileAuthState, type SignalDataTypeMap, type SignalKeyStore } from '@whiskeysockets/baileys';
import { createTestDatabase } from '../test/support/databases';
import { loadDbAuthState } from '../lib/sessions/auth-state';
import { addPhone } from '../test/support/engine';
import { sqliteDirect, type Db } from '../lib/db/client';

const silent = pino({ level: 'silent' });
// What makeWASocket does to `auth.keys` (Baileys' defaults: 10 commit retries, 3 s apart).
const asSocketGetsIt = (keys: SignalKeyStore) => addTransactionCapability(keys, silent as never, { maxCommitRetries: 10, delayBetweenTriesMs: 3000 });

interface Counter {
  reads: number;
  writes: number;
}

/**
 * Counts the SQL statements that reach the database, by kind, without changing how they run: the
 * Prisma client's raw-query methods (PostgreSQL, and SQLite through Prisma) and, on SQLite, the
 * libsql client under Prisma that the session store runs its statements on directly. The client
 * handed to loadDbAuthState is the real one, so the store takes the path it takes in production.
 */
async function countStatements(db: Db, counter: Counter) {
  const isRead = (sql: string) => /^\s*(select|with)\b/i.test(sql);
  const target = db as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['$queryRawUnsafe', '$queryRaw', '$executeRawUnsafe', '$executeRaw']) {
    const original = target[name].bind(db);
    target[name] = (...args: unknown[]) => {
      if (name.startsWith('$query')) counter.reads++;
      else counter.writes++;
      return original(...args);
    };
  }
  const direct = await sqliteDirect(db);
  if (!direct) return;
  const client = direct.client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const sqlOf = (stmt: unknown) => (typeof stmt === 'string' ? stmt : ((stmt as { sql?: string }).sql ?? ''));
  const count = (sql: string) => {
    if (/^\s*(pragma|begin|commit|rollback)\b/i.test(sql)) return;
    if (isRead(sql)) counter.reads++;
    else counter.writes++;
  };
  // The client is a proxy that runs the connection PRAGMAs first (through `execute` on its target):
  // the counting versions go on the target and call the class's own methods, never the proxy.
  const proto = Object.getPrototypeOf(client) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  client.execute = function (this: unknown, stmt: unknown, ...rest: unknown[]) {
    count(sqlOf(stmt));
    return proto.execute.call(this, stmt, ...rest);
  };
  client.batch = function (this: unknown, stmts: unknown, ...rest: unknown[]) {
    for (const st of stmts as unknown[]) count(sqlOf(st));
    return proto.batch.call(this, stmts, ...rest);
  };
}

/** Counts the per-key file reads and writes of useMultiFileAuthState's keys (one file per key). */
function countingFiles(keys: SignalKeyStore, counter: Counter): SignalKeyStore {
  return {
    async get(type, ids) {
      counter.reads += ids.length;
      return keys.get(type, ids);
    },
    async set(data) {
      for (const entries of Object.values(data)) counter.writes += Object.keys(entries ?? {}).length;
      return keys.set(data);
    },
  };
}

function sessionValue(i: number) {
  // Roughly the size of a serialized Signal session record.
  return { _sessions: { [`base${i}`]: { blob: Buffer.alloc(1200, i % 251).toString('base64') } }, version: 'v1' } as unknown as SignalDataTypeMap['session'];
}
const contact = (c: number) => `1555${String(c).padStart(6, '0')}.0`;

interface Stats {
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `perPhone(phone, timed)` for every phone at once; ops/s over the wall time of the phase. */
async function phase(phones: number, perPhone: (p: number, timed: (fn: () => unknown) => Promise<void>) => Promise<void>): Promise<Stats> {
  const latencies: number[] = [];
  const timed = async (fn: () => unknown) => {
    const t = performance.now();
    await fn();
    latencies.push(performance.now() - t);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: phones }, (_, p) => perPhone(p, timed)));
  const ms = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(3));
  return { ops: latencies.length, opsPerSec: Math.round(latencies.length / (ms / 1000)), p50Ms: at(0.5), p99Ms: at(0.99) };
}

interface Side {
  /** Opens (or re-opens, with empty caches) the stores of `phones` phones, keys as the socket gets them. */
  open(phones: number): Promise<SignalKeyStore[]>;
  counter: Counter;
  cleanup(): Promise<void>;
}

async function fileSide(): Promise<Side> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-files-'));
  const counter = { reads: 0, writes: 0 };
  return {
    counter,
    async open(phones) {
      return Promise.all(
        Array.from({ length: phones }, async (_, p) => {
          const { state } = await useMultiFileAuthState(path.join(root, `phone${p}`));
          return asSocketGetsIt(makeCacheableSignalKeyStore(countingFiles(state.keys, counter), silent as never));
        }),
      );
    },
    async cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

async function dbSide(provider: 'sqlite' | 'postgresql'): Promise<Side> {
  const tdb = await createTestDatabase(provider);
  const counter = { reads: 0, writes: 0 };
  const db = tdb.db;
  const phoneIds: number[] = [];
  return {
    counter,
    async open(phones) {
      if (!phoneIds.length) await countStatements(db, counter);
      while (phoneIds.length < phones) phoneIds.push((await addPhone(tdb.db, `7799${String(phoneIds.length).padStart(7, '0')}@s.whatsapp.net`)).id);
      return Promise.all(phoneIds.slice(0, phones).map(async (id) => asSocketGetsIt((await loadDbAuthState(db, id)).state.keys)));
    },
    cleanup: () => tdb.drop(),
  };
}

/** One side at one concurrency: seed, then the four phases, each with its backing-store counts. */
async function measure(side: Side, phones: number, totalKeys: number, totalMessages: number) {
  const contactsPerPhone = Math.max(1, Math.floor(totalKeys / phones));
  const messagesPerPhone = Math.max(1, Math.floor(totalMessages / phones));
  const preKeysPerPhone = Math.ceil(messagesPerPhone / 10) + 1;
  let stores = await side.open(phones);
  // Seed (not timed): each phone's pre-keys and its contacts' sessions, 100 keys per call.
  await Promise.all(
    stores.map(async (keys) => {
      await keys.set({ 'pre-key': Object.fromEntries(Array.from({ length: preKeysPerPhone }, (_, i) => [String(i + 1), { public: Buffer.alloc(32, i), private: Buffer.alloc(32, i) }])) });
      for (let c = 0; c < contactsPerPhone; c += 100) {
        await keys.set({ session: Object.fromEntries(Array.from({ length: Math.min(100, contactsPerPhone - c) }, (_, i) => [contact(c + i), sessionValue(c + i)])) });
      }
    }),
  );
  const counted = async (run: () => Promise<Stats>) => {
    const before = { ...side.counter };
    const stats = await run();
    return { ...stats, backingReads: side.counter.reads - before.reads, backingWrites: side.counter.writes - before.writes };
  };
  const writes = await counted(() =>
    phase(phones, async (p, timed) => {
      for (let m = 0; m < messagesPerPhone; m++) await timed(() => stores[p].set({ session: { [contact(m % contactsPerPhone)]: sessionValue(m) } }));
    }),
  );
  // A restart: the same data, fresh store objects with empty caches.
  stores = await side.open(phones);
  const readAll = () =>
    phase(phones, async (p, timed) => {
      for (let c = 0; c < contactsPerPhone; c++) await timed(() => stores[p].get('session', [contact(c)]));
    });
  const coldReads = await counted(readAll);
  const warmReads = await counted(readAll);
  const flow = await counted(() =>
    phase(phones, async (p, timed) => {
      const keys = stores[p];
      for (let m = 0; m < messagesPerPhone; m++) {
        const id = contact(m % contactsPerPhone);
        await timed(() => keys.get('session', [id]));
        await timed(() => keys.set({ session: { [id]: sessionValue(m) } }));
        if (m % 10 === 0) {
          const pk = String(m / 10 + 1);
          await timed(() => keys.get('pre-key', [pk]));
          await timed(() => keys.set({ 'pre-key': { [pk]: null }, 'sender-key': { [`g${m}::${id}`]: Buffer.alloc(200) as unknown as SignalDataTypeMap['sender-key'] } }));
        }
      }
    }),
  );
  return { phones, contactsPerPhone, messagesPerPhone, writes, coldReads, warmReads, flow };
}

const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
const PHASES = ['writes', 'coldReads', 'warmReads', 'flow'] as const;
type Measured = Awaited<ReturnType<typeof measure>>;

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of each phase's figures over the samples, with the range of ops/s. */
function summarize(samples: Measured[]) {
  const out: Record<string, unknown> = { phones: samples[0].phones, contactsPerPhone: samples[0].contactsPerPhone, messagesPerPhone: samples[0].messagesPerPhone };
  for (const ph of PHASES) {
    const xs = samples.map((x) => x[ph]);
    const ops = xs.map((x) => x.opsPerSec);
    out[ph] = {
      ops: xs[0].ops,
      opsPerSec: Math.round(median(ops)),
      opsPerSecRange: [Math.min(...ops), Math.max(...ops)],
      p50Ms: Number(median(xs.map((x) => x.p50Ms)).toFixed(3)),
      p99Ms: Number(median(xs.map((x) => x.p99Ms)).toFixed(3)),
      backingReads: median(xs.map((x) => x.backingReads)),
      backingWrites: median(xs.map((x) => x.backingWrites)),
    };
  }
  return out as { [K in (typeof PHASES)[number]]: Measured[K] & { opsPerSecRange: number[] } } & { phones: number };
}

export async function authStoreBenchmark(opts: { messages?: number; keys?: number; concurrency?: number[]; samples?: number } = {}) {
  const messages = opts.messages ?? Number(process.env.BENCH_KEYSTORE_MESSAGES ?? 2000);
  const keys = opts.keys ?? Number(process.env.BENCH_KEYSTORE_KEYS ?? 2000);
  const concurrency = opts.concurrency ?? (process.env.BENCH_KEYSTORE_PHONES ?? '1,100').split(',').map(Number);
  const samples = opts.samples ?? Number(process.env.BENCH_KEYSTORE_SAMPLES ?? 3);
  const sides = { file: fileSide, sqlite: () => dbSide('sqlite'), postgresql: () => dbSide('postgresql') } as const;
  const names = Object.keys(sides) as (keyof typeof sides)[];
  const rows = [];
  for (const phones of concurrency) {
    const got: Record<string, Measured[]> = { file: [], sqlite: [], postgresql: [] };
    const orders: string[][] = [];
    for (let s = 0; s < samples; s++) {
      // Each sample starts with a different side (file, sqlite, postgresql, file, …).
      const order = names.map((_, i) => names[(i + s) % names.length]);
      orders.push(order);
      for (const name of order) {
        const side = await sides[name]();
        try {
          got[name].push(await measure(side, phones, keys, messages));
        } finally {
          await side.cleanup();
        }
      }
    }
    const [file, sqlite, pg] = names.map((n) => summarize(got[n]));
    const vs = (key: (typeof PHASES)[number]) => ({ sqliteVsFile: ratio(sqlite[key].opsPerSec, file[key].opsPerSec), postgresqlVsFile: ratio(pg[key].opsPerSec, file[key].opsPerSec) });
    const row = { phones, samples, orders, file, sqlite, postgresql: pg, ratio: { flow: vs('flow'), writes: vs('writes'), coldReads: vs('coldReads'), warmReads: vs('warmReads') } };
    console.log(JSON.stringify({ phones, ratio: row.ratio }));
    rows.push(row);
  }
  return {
    method:
      'file = useMultiFileAuthState keys in makeCacheableSignalKeyStore; sqlite/postgresql = loadDbAuthState keys; both in addTransactionCapability as makeWASocket wraps them. Same total work at every concurrency. Each figure is the median of `samples` runs (each sample starts with another side; opsPerSecRange = min/max). backingReads/backingWrites: files read/written (file) or SQL statements that read/write (database).',
    messages,
    keys,
    samples,
    rows,
  };
}
