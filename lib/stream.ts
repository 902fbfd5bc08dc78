// Server-Sent Events of every session engine event, with a heartbeat. The subscription ends when
// the client goes away (abort or cancel), so disconnects never leak listeners. The stream also
// ends, within `recheckMs`, once its credential no longer allows it (token revoked, user signed
// out, demoted or deleted); pairing secrets (QR strings, pairing codes) go only to callers that may pair.
import { getSessionManager } from './sessions/manager';
import type { SessionEngineEvent } from './sessions/types';

/** Events that carry what it takes to link a phone: only for callers that may pair (admins). */
export const PAIRING_EVENTS: ReadonlySet<SessionEngineEvent['type']> = new Set(['qr', 'pairing-code']);

export interface StreamAccess {
  /** May this caller receive `qr` and `pairing-code` events? Default: no. */
  canPair?: boolean;
  /** Re-checks the caller's credential; false (or a throw) ends the stream. */
  stillAllowed?: () => Promise<boolean>;
  /** How often stillAllowed runs (ms). */
  recheckMs?: number;
}

const encoder = new TextEncoder();
const holder = globalThis as unknown as { __sseClients?: number };

/** Open SSE connections in this process (tests check it goes back to zero). */
export const openStreams = () => holder.__sseClients ?? 0;

export function sessionEventStream(signal: AbortSignal, heartbeatMs = 15_000, initial?: unknown, access: StreamAccess = {}): Response {
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      holder.__sseClients = openStreams() + 1;
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const onEvent = (event: SessionEngineEvent) => {
        if (PAIRING_EVENTS.has(event.type) && !access.canPair) return;
        send(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      };
      const unsubscribe = getSessionManager().subscribe(onEvent);
      const heartbeat = setInterval(() => send(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
      let done = false;
      let checking = false;
      const stillAllowed = access.stillAllowed;
      const recheck = stillAllowed
        ? setInterval(() => {
            if (checking || done) return;
            checking = true;
            stillAllowed()
              .catch(() => false)
              .then((ok) => {
                checking = false;
                if (!ok) cleanup();
              });
          }, access.recheckMs ?? 2000)
        : undefined;
      cleanup = () => {
        if (done) return;
        done = true;
        unsubscribe();
        clearInterval(heartbeat);
        if (recheck) clearInterval(recheck);
        holder.__sseClients = openStreams() - 1;
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      signal.addEventListener('abort', cleanup, { once: true });
      send(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(initial ?? {})}\n\n`);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
}
