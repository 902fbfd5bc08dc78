// Reading the console's Server-Sent Events in tests and benchmarks: the one frame parser.
import assert from 'node:assert/strict';
import { DEFAULT_DEADLINE_MS } from './eventually';

export type Json = Record<string, unknown>;

/** One SSE frame that carries data (comment-only and retry-only frames are skipped). */
export interface SseFrame {
  id: string | null;
  /** `message` when the frame names none, as EventSource does */
  event: string;
  data: string;
}

/** Parses a text/event-stream body frame by frame until it ends (or its request is aborted). */
export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const fields = block.split('\n').filter((l) => !l.startsWith(':'));
        const get = (name: string) => {
          const line = fields.find((l) => l.startsWith(`${name}:`));
          return line === undefined ? null : line.slice(name.length + 1).replace(/^ /, '');
        };
        const data = get('data');
        if (data === null) continue;
        yield { id: get('id'), event: get('event') ?? 'message', data };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Reads SSE events from the console until `pred` matches one. `onOpen` runs once the `hello`
 * event arrived (the stream is subscribed): a state reached before that is read there, and when
 * `onOpen` returns true the wait is over already (resolves with null).
 */
export async function sseUntil(
  url: string,
  headers: Record<string, string>,
  pred: (event: string, data: Json) => boolean,
  timeoutMs = DEFAULT_DEADLINE_MS,
  onOpen?: () => Promise<boolean | void>,
): Promise<{ event: string; data: Json; at: number } | null> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(new Error(`no matching event within ${timeoutMs} ms from ${url}`)), timeoutMs);
  try {
    const res = await fetch(url, { headers, signal: ctrl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    let opened = false;
    for await (const frame of sseFrames(res.body!)) {
      if (frame.event === 'hello' && !opened) {
        opened = true;
        if ((await onOpen?.()) === true) return null;
      }
      const data = JSON.parse(frame.data) as Json;
      if (pred(frame.event, data)) return { event: frame.event, data, at: Date.now() };
    }
    throw new Error('stream ended');
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}
