// Test helpers: a real Baileys client with in-memory auth state, pointed at the simulator.
import makeWASocket, { initAuthCreds, BufferJSON, type UserFacingSocketConfig, type AuthenticationCreds, type SignalDataTypeMap, type WASocket, type ConnectionState } from '@whiskeysockets/baileys';
import pino from 'pino';
import { DEFAULT_DEADLINE_MS } from '../../test/support/eventually';
import { awaitableLog } from '../../test/support/awaitable-log';

export const silent = pino({ level: 'silent' });

export interface MemoryAuth {
  creds: AuthenticationCreds;
  keys: Map<string, unknown>;
}

export function newAuth(): MemoryAuth {
  return { creds: initAuthCreds(), keys: new Map() };
}

/** Survives reconnects like a real store: a deep copy through BufferJSON. */
function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, BufferJSON.replacer), BufferJSON.reviver);
}

/** A message the client received: its text, or the stub Baileys leaves when it could not decrypt. */
export interface ReceivedMessage {
  text: string | null | undefined;
  stub: string[] | null | undefined;
  from: string | null | undefined;
}

export interface Client {
  sock: WASocket;
  auth: MemoryAuth;
  /** resolves with the next connection.update that matches */
  next(pred: (u: Partial<ConnectionState>) => boolean, timeoutMs?: number): Promise<Partial<ConnectionState>>;
  closed: Promise<{ statusCode: number | undefined; message: string }>;
  messages: ReceivedMessage[];
  nextMessage(timeoutMs?: number): Promise<ReceivedMessage>;
}

export function connect(url: string, auth: MemoryAuth = newAuth(), opts: { keepAliveIntervalMs?: number; logger?: pino.Logger; socket?: Partial<UserFacingSocketConfig> } = {}): Client {
  const sock = makeWASocket({
    waWebSocketUrl: url,
    auth: {
      creds: auth.creds,
      keys: {
        get: async (type, ids) => {
          const out: { [id: string]: SignalDataTypeMap[typeof type] } = {};
          for (const id of ids) {
            const v = auth.keys.get(`${type}-${id}`);
            if (v !== undefined) out[id] = clone(v) as SignalDataTypeMap[typeof type];
          }
          return out;
        },
        set: async (data) => {
          for (const [type, entries] of Object.entries(data)) {
            for (const [id, value] of Object.entries(entries ?? {})) {
              if (value === null || value === undefined) auth.keys.delete(`${type}-${id}`);
              else auth.keys.set(`${type}-${id}`, clone(value));
            }
          }
        },
      },
    },
    logger: opts.logger ?? silent,
    printQRInTerminal: false,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    fireInitQueries: true,
    keepAliveIntervalMs: opts.keepAliveIntervalMs ?? 30_000,
    connectTimeoutMs: 20_000,
    retryRequestDelayMs: 50,
    ...opts.socket,
  });
  sock.ev.on('creds.update', (update) => Object.assign(auth.creds, update));
  const updates = awaitableLog<Partial<ConnectionState>>();
  sock.ev.on('connection.update', (u) => updates.push(u));
  const received = awaitableLog<ReceivedMessage>();
  sock.ev.on('messages.upsert', ({ messages: list }) => {
    for (const m of list) received.push({ text: m.message?.conversation, stub: m.messageStubParameters, from: m.key.remoteJid });
  });
  const closed = new Promise<{ statusCode: number | undefined; message: string }>((resolve) => {
    sock.ev.on('connection.update', (u) => {
      if (u.connection === 'close') {
        const err = u.lastDisconnect?.error as { output?: { statusCode?: number }; message?: string } | undefined;
        resolve({ statusCode: err?.output?.statusCode, message: err?.message ?? '' });
      }
    });
  });
  // Each read moves past what it returned: the next one waits for a later update or message.
  let updatesSeen = 0;
  let messagesSeen = 0;
  return {
    sock,
    auth,
    closed,
    messages: received.items,
    async next(pred, timeoutMs = DEFAULT_DEADLINE_MS) {
      const hit = await updates.waitFor(pred, { timeoutMs, from: updatesSeen, describe: () => 'timed out waiting for connection.update' });
      updatesSeen = updates.items.indexOf(hit, updatesSeen) + 1;
      return hit;
    },
    async nextMessage(timeoutMs = DEFAULT_DEADLINE_MS) {
      const hit = await received.waitFor(() => true, { timeoutMs, from: messagesSeen, describe: () => 'timed out waiting for a message' });
      messagesSeen += 1;
      return hit;
    },
  };
}

/** Pairs a fresh client as `phoneJid` the real way (QR → scan → 515 → login) and returns it open. */
export async function pairPhone(sim: { url: string; scan(jid: string, qr: string): Promise<unknown> }, phoneJid: string, opts: { keepAliveIntervalMs?: number; socket?: Partial<UserFacingSocketConfig> } = {}) {
  const first = connect(sim.url, newAuth(), opts);
  const { qr } = await first.next((u) => !!u.qr);
  await sim.scan(phoneJid, qr!);
  const closed = await first.closed;
  if (closed.statusCode !== 515) throw new Error(`expected 515 after pairing, got ${closed.statusCode} ${closed.message}`);
  const client = connect(sim.url, first.auth, opts);
  await client.next((u) => u.connection === 'open');
  return client;
}

/** Records unhandled rejections instead of crashing, so a test can assert there were none. */
export function trackUnhandled() {
  const seen: unknown[] = [];
  const handler = (err: unknown) => seen.push(err);
  process.on('unhandledRejection', handler);
  return { seen, stop: () => process.off('unhandledRejection', handler) };
}
