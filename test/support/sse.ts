// Reading the console's Server-Sent Events in tests.
import assert from 'node:assert/strict';

export type Json = Record<string, unknown>;

/** Reads SSE events from the console until `pred` matches one. */
export async function sseUntil(url: string, headers: Record<string, string>, pred: (event: string, data: Json) => boolean, timeoutMs = 60_000, onOpen?: () => Promise<void>) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const res = await fetch(url, { headers, signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let opened = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(chunk)?.[1];
        const data = /^data: (.*)$/m.exec(chunk)?.[1];
        if (event === 'hello' && !opened) {
          opened = true;
          await onOpen?.();
        }
        if (event && data && pred(event, JSON.parse(data))) return { event, data: JSON.parse(data) as Json, at: Date.now() };
      }
    }
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}
