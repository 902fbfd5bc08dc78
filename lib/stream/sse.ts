// Server-Sent Events of every session engine event, with a heartbeat. The subscription ends when
// the client goes away (abort or cancel), so disconnects never leak listeners. Every event has an
// `id:`; a client that comes back with `Last-Event-ID` gets the events it missed from the
// process's bounded event log, or a `reset` event (reload your snapshot) when they are gone. The
// first message (`hello`, or `reset`) carries no phones: every client reads its list through the
// API (a page, a summary), so a snapshot of every phone on each connect was only cost (issue 27.17).
// The
// stream also ends, within `recheckMs`, once its credential no longer allows it (token revoked,
// user signed out, demoted or deleted); pairing secrets (QR strings, pairing codes) go only to
// callers that may pair (they are still numbered in the log, so ids stay shared by everyone).
import { getSessionManager } from '../sessions/manager';
import type { SessionEngineEvent } from '../sessions/types';
import { getEventLog, type EventLog, type LoggedEvent } from './event-log';

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

export interface StreamResume {
  log?: EventLog;
  /** the client's Last-Event-ID (header, or the `lastEventId` query parameter) */
  lastEventId?: string | null;
  /** the log position the stream starts from (default: now); events after it follow `hello` */
  sinceSeq?: number;
}

export function sessionEventStream(
  signal: AbortSignal,
  heartbeatMs = 15_000,
  access: StreamAccess = {},
  resume: StreamResume = {},
): Response {
  const log = resume.log ?? getEventLog();
  const sinceSeq = resume.sinceSeq ?? log.lastSeq;
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
      let lastSent = 0;
      const sendLogged = (entry: LoggedEvent) => {
        if (entry.seq <= lastSent) return;
        lastSent = entry.seq;
        if (PAIRING_EVENTS.has(entry.event.type) && !access.canPair) return;
        send(`id: ${entry.id}\nevent: ${entry.event.type}\ndata: ${JSON.stringify(entry.event)}\n\n`);
      };
      const onEvent = (event: SessionEngineEvent) => sendLogged(log.record(event));
      // every phone's events, wherever in the fleet it runs
      const unsubscribe = getSessionManager().subscribeView(onEvent);
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
      const snapshotId = `${log.epoch}-${sinceSeq}`;
      const plan = log.resume(resume.lastEventId ?? null);
      if (plan.kind === 'resume') {
        send('retry: 2000\n\n');
        for (const entry of plan.events) sendLogged(entry);
      } else {
        if (plan.kind === 'reset') {
          // The events since the client's id are gone: it must read its list again.
          send(`retry: 2000\nid: ${snapshotId}\nevent: reset\ndata: ${JSON.stringify({ reason: plan.reason })}\n\n`);
        } else {
          send(`retry: 2000\nid: ${snapshotId}\nevent: hello\ndata: {}\n\n`);
        }
        lastSent = sinceSeq;
        for (const entry of log.since(sinceSeq) ?? []) sendLogged(entry);
      }
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
}
