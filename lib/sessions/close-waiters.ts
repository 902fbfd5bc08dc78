// Baileys 6.7 queries wait for their answer with a 60-s timer and a 'close' listener on the
// WebSocket. When the socket ends, Baileys removes those listeners instead of calling them, and a
// query started after the end (retry receipts, placeholder resends still running on a dead socket)
// registers a listener that never fires. Either way the query waits the full 60 s, and its timer
// keeps the whole dead socket in memory: under a storm of drops that is hundreds of sockets.
// We remember the 'close' listeners ourselves and, once the socket is gone, call them, so those
// queries fail at once with "Connection Closed" and the socket can be collected.
import type { WASocket } from '@whiskeysockets/baileys';

type Listener = (...args: unknown[]) => void;
type Emitter = {
  on(event: string | symbol, listener: Listener): unknown;
  addListener(event: string | symbol, listener: Listener): unknown;
  off(event: string | symbol, listener: Listener): unknown;
  removeListener(event: string | symbol, listener: Listener): unknown;
};

export interface CloseWaiters {
  /** The socket is gone: fail every waiter now and any that comes later. */
  release(): void;
  readonly pending: number;
}

export function trackCloseWaiters(sock: WASocket): CloseWaiters {
  const ws = sock.ws as unknown as Emitter;
  const waiters = new Set<Listener>();
  let released = false;
  const on = ws.on.bind(ws);
  const off = ws.off.bind(ws);
  const fire = (listener: Listener) =>
    setImmediate(() => {
      try {
        listener();
      } catch {
        // a waiter that throws on a dead socket has nothing left to tell us
      }
    });
  ws.on = ws.addListener = (event, listener) => {
    if (event !== 'close') return on(event, listener);
    if (released) {
      fire(listener);
      return ws;
    }
    waiters.add(listener);
    return on(event, listener);
  };
  ws.off = ws.removeListener = (event, listener) => {
    if (event === 'close') waiters.delete(listener);
    return off(event, listener);
  };
  return {
    release() {
      if (released) return;
      released = true;
      const list = [...waiters];
      waiters.clear();
      for (const listener of list) fire(listener);
    },
    get pending() {
      return waiters.size;
    },
  };
}
