// Baileys auth state in the database (replacing useMultiFileAuthState): creds in AuthCreds, each
// Signal key in AuthKey. Reads are served from memory after the first load; the writes of one
// keys.set() call (Baileys batches a whole transaction into one) go to the database atomically,
// and all writes of a phone are applied in order, so a crash at any moment leaves either the old
// or the new state, never a torn one.
//
// The key writes are raw SQL on purpose (hot-writes.ts): one multi-row `INSERT … ON CONFLICT DO
// UPDATE` is a single atomic statement on SQLite and PostgreSQL alike, where Prisma's upsert costs
// a transaction with several round trips per key. This path runs for every message a phone gets.
import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import type { Db } from '../db/client';
import { deleteKeys, upsertCreds, upsertKeys } from './hot-writes';

type KeyType = keyof SignalDataTypeMap;
const encode = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const decode = (text: string) => JSON.parse(text, BufferJSON.reviver);

export interface DbAuthState {
  state: AuthenticationState;
  saveCreds(): Promise<void>;
  /** Deletes the Signal sessions of every device of a sender; returns how many were deleted. */
  deleteSenderSessions(senderUser: string): Promise<number>;
  /** Forgets everything (logout). */
  clear(): Promise<void>;
  /** Resolves when every queued write is in the database. */
  flush(): Promise<void>;
  isRegistered(): boolean;
}

export async function loadDbAuthState(db: Db, phoneId: number): Promise<DbAuthState> {
  const row = await db.authCreds.findUnique({ where: { phoneId } });
  const creds: AuthenticationCreds = row ? decode(row.data) : initAuthCreds();
  const cache = new Map<string, unknown>(); // `${type}:${id}` → value, or null for "known absent"
  let writes: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = writes.then(fn, fn);
    writes = next.catch(() => {});
    return next;
  };

  const saveCreds = () =>
    enqueue(async () => {
      const data = encode(creds);
      await upsertCreds(db, phoneId, data);
    });
  if (!row) await saveCreds();

  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends KeyType>(type: T, ids: string[]) {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        const missing = ids.filter((id) => !cache.has(`${type}:${id}`));
        if (missing.length) {
          await writes; // never read around a pending write
          const rows = await db.authKey.findMany({ where: { phoneId, type, keyId: { in: missing } } });
          const found = new Map(rows.map((r) => [r.keyId, r.data]));
          for (const id of missing) {
            const text = found.get(id);
            let value: unknown = text === undefined ? null : decode(text);
            if (value && type === 'app-state-sync-key') value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
            cache.set(`${type}:${id}`, value);
          }
        }
        for (const id of ids) {
          const value = cache.get(`${type}:${id}`);
          if (value !== null && value !== undefined) out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      async set(data) {
        const upserts: { type: string; keyId: string; data: string }[] = [];
        const deletes: { type: string; keyId: string }[] = [];
        for (const [type, entries] of Object.entries(data)) {
          for (const [keyId, value] of Object.entries(entries ?? {})) {
            cache.set(`${type}:${keyId}`, value ?? null);
            if (value === null || value === undefined) deletes.push({ type, keyId });
            else upserts.push({ type, keyId, data: encode(value) });
          }
        }
        if (!upserts.length && !deletes.length) return;
        await enqueue(async () => {
          const statements = [];
          if (deletes.length) statements.push(deleteKeys(db, phoneId, deletes));
          if (upserts.length) statements.push(upsertKeys(db, phoneId, upserts));
          // One statement is atomic by itself; two need a transaction.
          if (statements.length === 1) await statements[0];
          else await db.$transaction(statements);
        });
      },
    },
  };

  return {
    state,
    saveCreds,
    async deleteSenderSessions(senderUser) {
      const prefix = `${senderUser}.`;
      for (const key of [...cache.keys()]) {
        if (key.startsWith(`session:${prefix}`)) cache.delete(key);
      }
      return enqueue(async () => {
        const res = await db.authKey.deleteMany({ where: { phoneId, type: 'session', keyId: { startsWith: prefix } } });
        for (const key of [...cache.keys()]) if (key.startsWith(`session:${prefix}`)) cache.delete(key);
        return res.count;
      });
    },
    async clear() {
      cache.clear();
      await enqueue(() => db.$transaction([db.authKey.deleteMany({ where: { phoneId } }), db.authCreds.deleteMany({ where: { phoneId } })]));
    },
    flush: () => writes.then(() => undefined),
    isRegistered: () => !!creds.me?.id,
  };
}
