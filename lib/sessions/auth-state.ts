// Baileys auth state in the database (replacing useMultiFileAuthState): creds in AuthCreds, each
// Signal key in AuthKey, all through the session store (store/). Reads are served from memory
// after the first load. Memory never disagrees with the database: the cache changes only after the
// write is committed, a failed write fails keys.set() (so Baileys' transaction fails and retries)
// and drops the entries it touched (the next read asks the database). The writes of one keys.set()
// call (Baileys batches a whole transaction into one) are atomic, and all key reads and writes of
// a phone run in order, so a crash at any moment leaves either the old or the new state.
//
// The store is generic over key type and id (Baileys 7 adds types such as `lid-mapping` and
// `device-list`, and LID addresses `user_1.device`): nothing here lists the known types.
import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import type { Db } from '../db/client';
import { storeFor, type SessionStore } from './store';
import { isSenderSession } from './store/sql';

type KeyType = keyof SignalDataTypeMap;
const encode = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const decode = (text: string) => JSON.parse(text, BufferJSON.reviver);
const cacheKey = (type: string, id: string) => `${type}\u0000${id}`;

export interface DbAuthState {
  state: AuthenticationState;
  saveCreds(): Promise<void>;
  /** Deletes the Signal sessions of every device of a sender (phone-number and LID addresses); returns how many were deleted. */
  deleteSenderSessions(senderUser: string): Promise<number>;
  /** Forgets everything (logout). */
  clear(): Promise<void>;
  /** Resolves when every queued write is in the database (or has failed). */
  flush(): Promise<void>;
  isRegistered(): boolean;
}

export interface AuthStateOptions {
  /** told about every failed key read, key write or credentials write (the session decides what to do) */
  onError?: (err: unknown, op: 'read' | 'keys' | 'creds') => void;
}

export async function loadDbAuthState(db: Db | SessionStore, phoneId: number, opts: AuthStateOptions = {}): Promise<DbAuthState> {
  const store: SessionStore = 'writeKeys' in db ? db : storeFor(db);
  const row = await store.readCreds(phoneId);
  const creds: AuthenticationCreds = row ? decode(row) : initAuthCreds();
  const cache = new Map<string, unknown>(); // type\0id → value, or null for "known absent"
  let queue: Promise<unknown> = Promise.resolve();
  let pending = 0;
  /** Runs key reads and writes of this phone one after another. */
  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    pending++;
    const next = queue.then(fn, fn).finally(() => pending--);
    queue = next.catch(() => {});
    return next;
  };

  const saveCreds = () =>
    enqueue(async () => {
      try {
        await store.saveCreds(phoneId, encode(creds));
      } catch (err) {
        opts.onError?.(err, 'creds');
        throw err;
      }
    });
  if (!row) await saveCreds();

  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends KeyType>(type: T, ids: string[]) {
        // A write in flight may change what we hold: read after it.
        if (pending) await queue;
        const missing = ids.filter((id) => !cache.has(cacheKey(type, id)));
        if (missing.length) {
          await enqueue(async () => {
            const still = missing.filter((id) => !cache.has(cacheKey(type, id)));
            let found: Map<string, string>;
            try {
              found = await store.readKeys(phoneId, type, still);
            } catch (err) {
              opts.onError?.(err, 'read');
              throw err;
            }
            for (const id of still) {
              const text = found.get(id);
              let value: unknown = text === undefined ? null : decode(text);
              if (value && type === 'app-state-sync-key') value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
              cache.set(cacheKey(type, id), value);
            }
          });
        }
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          const value = cache.get(cacheKey(type, id));
          if (value !== null && value !== undefined) out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      async set(data) {
        const upserts: { type: string; keyId: string; data: string }[] = [];
        const deletes: { type: string; keyId: string }[] = [];
        const values = new Map<string, unknown>();
        for (const [type, entries] of Object.entries(data)) {
          for (const [keyId, value] of Object.entries(entries ?? {})) {
            values.set(cacheKey(type, keyId), value ?? null);
            if (value === null || value === undefined) deletes.push({ type, keyId });
            else upserts.push({ type, keyId, data: encode(value) });
          }
        }
        if (!values.size) return;
        await enqueue(async () => {
          try {
            await store.writeKeys(phoneId, { upserts, deletes });
          } catch (err) {
            // Not written (or not known to be): forget what we held, the database has the truth.
            for (const k of values.keys()) cache.delete(k);
            opts.onError?.(err, 'keys');
            throw err;
          }
          for (const [k, v] of values) cache.set(k, v);
        });
      },
    },
  };

  const dropSenderSessions = (senderUser: string) => {
    const prefix = cacheKey('session', '');
    for (const key of [...cache.keys()]) {
      if (key.startsWith(prefix) && isSenderSession(key.slice(prefix.length), senderUser)) cache.delete(key);
    }
  };

  return {
    state,
    saveCreds,
    deleteSenderSessions: (senderUser) =>
      enqueue(async () => {
        try {
          return await store.deleteSenderSessions(phoneId, senderUser);
        } finally {
          dropSenderSessions(senderUser);
        }
      }),
    clear: () =>
      enqueue(async () => {
        try {
          await store.clearAuth(phoneId);
        } finally {
          cache.clear();
        }
      }),
    flush: () => queue.then(() => undefined),
    isRegistered: () => !!creds.me?.id,
  };
}
