// A Session without network or database: a Baileys-shaped socket whose events the test drives, and
// an in-memory session store (test/unit/sessions: the state machine, the repair storm).
import { EventEmitter } from 'node:events';
import type { SocketFactory } from '../../lib/sessions/session';
import type { SessionStore } from '../../lib/sessions/store';

/** A Baileys-shaped socket whose connection updates the test drives. */
export function fakeSocketFactory() {
  const sockets: { ev: EventEmitter; ended: boolean }[] = [];
  const factory = (() => {
    const ev = new EventEmitter();
    const ws = new EventEmitter() as EventEmitter & { socket?: undefined };
    const sock = { ev, ws, ended: false, user: undefined, end: () => void (sock.ended = true) };
    sockets.push(sock);
    return sock;
  }) as unknown as SocketFactory;
  return { factory, sockets };
}

export function memoryStore(): SessionStore & { states: string[] } {
  const states: string[] = [];
  return {
    provider: 'sqlite',
    states,
    setFence() {},
    onStaleOwner: () => () => {},
    holdsPhone: async () => true,
    readCreds: async () => null,
    saveCreds: async () => {},
    readKeys: async () => new Map(),
    writeKeys: async () => {},
    deleteSenderSessions: async () => 0,
    clearAuth: async () => {},
    writePhoneState: async (_id, d) => void (d.status && states.push(d.status)),
    insertEvent: async () => {},
    writeSession: async (_id, writes) => {
      for (const w of writes) if (w.kind === 'state' && w.data.status) states.push(w.data.status);
    },
    writeStatements: async () => [],
    ping: async () => {},
  } as SessionStore & { states: string[] };
}

