// The event stream resumes: every event has an id, a client that reconnects with Last-Event-ID
// gets exactly what it missed, and one whose gap is older than the buffer gets `reset`.
// (No SSE client library is installed; this is what EventSource does on reconnect: fetch with the
// Last-Event-ID header.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../simulator';
import { startConsole } from '../../support/console-server';
import { sseFrames } from '../../support/sse';

interface SseEvent {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

/** Opens the stream and parses it; `until` resolves with all events up to the first that matches. */
async function openStream(url: string, headers: Record<string, string>) {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SseEvent[] = [];
  const frames = sseFrames(res.body!);
  const readMore = async () => {
    const next = await frames.next();
    if (next.done) throw new Error('stream ended');
    events.push({ id: next.value.id, event: next.value.event, data: JSON.parse(next.value.data) });
  };
  return {
    events,
    async until(pred: (e: SseEvent) => boolean, timeoutMs = 30_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching event; got ${JSON.stringify(events.map((e) => [e.id, e.event]))}`);
        await Promise.race([readMore(), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
      }
    },
    close: () => ctrl.abort(),
  };
}

const seqOf = (id: string | null) => Number(String(id).split('-').pop());

test('event stream: ids, resume with Last-Event-ID, reset past the buffer', { timeout: 180_000 }, async (t) => {
  const sim = await startSimulator({ port: 0 });
  const server = await startConsole({ env: { WA_WEBSOCKET_URL: sim.url, SSE_BUFFER_SIZE: '6', SSE_HEARTBEAT_MS: '500' } });
  t.after(async () => {
    await server.stop();
    await sim.close();
  });
  const auth = { authorization: `Bearer ${await server.createToken('admin')}` };
  const streamUrl = `${server.url}/api/sessions/stream`;
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(server.url + path, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const text = await res.text();
    assert.ok(res.ok, `${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const id = Number((await post('/api/sessions', { organizationName: 'Resume', phone: '77051238001', start: false })).id);
  for (const phone of ['77051238002', '77051238003']) await post('/api/sessions', { organizationName: 'Resume', phone, start: false });

  // A client that reads a few events, then goes away while more happen.
  const first = await openStream(streamUrl, auth);
  const hello = await first.until((e) => e.event === 'hello');
  assert.ok(hello.id, 'hello has an id');
  // The first message carries no phones (issue 27.17: it sent every phone, 379 KB at 1,000, and
  // no client read it): the same few bytes whatever the fleet's size.
  assert.deepEqual(hello.data, {}, 'hello carries no snapshot');
  assert.ok(!JSON.stringify(hello.data).includes('7705123800'), 'no phone in the first message');
  await post(`/api/sessions/${id}/start`);
  const seen = await first.until((e) => e.event === 'state' && e.data.phoneId === id && e.data.state === 'qr');
  for (const e of first.events) assert.ok(e.id && /^[a-z0-9]+-\d+$/.test(e.id), `every event has an id: ${e.event} ${e.id}`);
  const ids = first.events.map((e) => seqOf(e.id));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ids grow');
  first.close();

  // While away: a close (state closing → closed), seen by a second, live client to know when it is over.
  const watcher = await openStream(streamUrl, auth);
  await watcher.until((e) => e.event === 'hello');
  await post(`/api/sessions/${id}/close`, { reason: 'away' });
  const closed = await watcher.until((e) => e.event === 'state' && e.data.phoneId === id && e.data.state === 'closed');
  const missed = watcher.events.filter((e) => e.event !== 'hello' && seqOf(e.id) > seqOf(seen.id) && seqOf(e.id) <= seqOf(closed.id));
  assert.ok(missed.length >= 2, 'the live client saw the close while the first one was away');

  // Back with Last-Event-ID: exactly the missed events, in order, without a new snapshot.
  const resumed = await openStream(streamUrl, { ...auth, 'last-event-id': String(seen.id) });
  await resumed.until((e) => e.id === closed.id);
  const replayed = resumed.events.filter((e) => seqOf(e.id) <= seqOf(closed.id));
  assert.ok(replayed.length >= 2, `replayed ${replayed.length}`);
  assert.equal(resumed.events.some((e) => e.event === 'hello' || e.event === 'reset'), false, 'no snapshot needed');
  assert.deepEqual(
    replayed.map((e) => seqOf(e.id)),
    Array.from({ length: seqOf(closed.id) - seqOf(seen.id) }, (_, i) => seqOf(seen.id) + 1 + i),
    'every event after the last one seen, none twice, none lost',
  );
  const byId = new Map(replayed.map((e) => [e.id, e]));
  for (const e of missed) assert.deepEqual(byId.get(e.id), e, `replayed ${e.id} as the live client saw it`);
  resumed.close();

  // Away for longer than the buffer (6 events) holds: the client is told to reload.
  const lastKnown = closed.id;
  let last = seqOf(lastKnown);
  for (let i = 0; i < 3; i++) {
    await post(`/api/sessions/${id}/start`);
    last = seqOf((await watcher.until((e) => e.event === 'state' && e.data.phoneId === id && e.data.state === 'qr' && seqOf(e.id) > last)).id);
    await post(`/api/sessions/${id}/close`, {});
    last = seqOf((await watcher.until((e) => e.event === 'state' && e.data.phoneId === id && e.data.state === 'closed' && seqOf(e.id) > last)).id);
  }
  const newest = watcher.events[watcher.events.length - 1];
  assert.ok(seqOf(newest.id) - seqOf(lastKnown) > 6, `the gap (${seqOf(newest.id) - seqOf(lastKnown)}) is older than the buffer`);
  watcher.close();
  const late = await openStream(streamUrl, { ...auth, 'last-event-id': String(lastKnown) });
  const reset = await late.until((e) => e.event === 'reset');
  assert.equal(reset.data.reason, 'gap');
  assert.deepEqual(reset.data, { reason: 'gap' }, 'reset says why, and carries no phones: the client reads its list again');
  assert.ok(reset.id, 'reset has an id to resume from next time');
  assert.equal(late.events.filter((e) => e.event === 'hello').length, 0);
  late.close();

  // An id from another process (before a restart) is unknown: reset as well.
  const stranger = await openStream(streamUrl, { ...auth, 'last-event-id': 'zzzz0000-5' });
  assert.equal((await stranger.until((e) => e.event === 'reset')).data.reason, 'unknown-id');
  stranger.close();
});
