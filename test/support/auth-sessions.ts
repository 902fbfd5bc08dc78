// Sign-in sessions in HTTP tests: sign-out through NextAuth, and an SSE reader that records every
// event and when the stream ended.
import assert from 'node:assert/strict';
import { sseFrames } from './sse';

/** Signs out through NextAuth (POST /api/auth/signout with its CSRF token) using the given Cookie header. */
export async function signOut(url: string, cookie: string): Promise<number> {
  const csrf = await fetch(`${url}/api/auth/csrf`, { headers: { cookie } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${url}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-auth-return-redirect': '1' },
    body: new URLSearchParams({ csrfToken, json: 'true', callbackUrl: url }),
  });
  await res.arrayBuffer();
  return res.status;
}

export interface RecordedStream {
  /** `id` is the event's SSE id (for Last-Event-ID) */
  events: { event: string; data: Record<string, unknown>; at: number; id?: string }[];
  /** Resolves with the time (Date.now()) the server ended the stream. */
  ended: Promise<number>;
  isEnded(): boolean;
  /** Resolves with the first recorded event from index `from` on matching pred (already seen or later). */
  waitFor(pred: (event: string, data: Record<string, unknown>) => boolean, timeoutMs?: number, from?: number): Promise<{ event: string; data: Record<string, unknown> }>;
  close(): void;
}

/** Opens /api/sessions/stream and records every event until the server ends it or close() is called. */
export async function recordStream(url: string, headers: Record<string, string>): Promise<RecordedStream> {
  const ctrl = new AbortController();
  const res = await fetch(`${url}/api/sessions/stream`, { headers, signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const events: RecordedStream['events'] = [];
  const waiters = new Set<() => void>();
  let endedFlag = false;
  const ended = (async () => {
    try {
      for await (const frame of sseFrames(res.body!)) {
        events.push({ event: frame.event, data: JSON.parse(frame.data), at: Date.now(), ...(frame.id ? { id: frame.id } : {}) });
        for (const w of [...waiters]) w();
      }
    } catch {
      // aborted by close()
    }
    endedFlag = true;
    for (const w of [...waiters]) w();
    return Date.now();
  })();
  return {
    events,
    ended,
    isEnded: () => endedFlag,
    waitFor(pred, timeoutMs = 60_000, from = 0) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; saw ${events.map((e) => e.event).join(',')}`));
        }, timeoutMs);
        const check = () => {
          const hit = events.slice(from).find((e) => pred(e.event, e.data));
          if (hit || endedFlag) {
            clearTimeout(timer);
            waiters.delete(check);
            if (hit) resolve(hit);
            else reject(new Error(`stream ended before a matching event; saw ${events.map((e) => e.event).join(',')}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    close: () => ctrl.abort(),
  };
}
