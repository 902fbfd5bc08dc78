// Server-Sent Events of every session engine event, with a heartbeat. The subscription ends when
// the client goes away (abort or cancel), so disconnects never leak listeners.
import { getSessionManager } from './sessions/manager';
import type { SessionEngineEvent } from './sessions/types';

const encoder = new TextEncoder();
const holder = globalThis as unknown as { __sseClients?: number };

/** Open SSE connections in this process (tests check it goes back to zero). */
export const openStreams = () => holder.__sseClients ?? 0;

export function sessionEventStream(signal: AbortSignal, heartbeatMs = 15_000, initial?: unknown): Response {
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
      const onEvent = (event: SessionEngineEvent) => send(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      const unsubscribe = getSessionManager().subscribe(onEvent);
      const heartbeat = setInterval(() => send(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
      let done = false;
      cleanup = () => {
        if (done) return;
        done = true;
        unsubscribe();
        clearInterval(heartbeat);
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
