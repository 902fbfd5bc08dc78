// The event stream's id log: numbering, the bounded buffer, and the resume decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLog } from '../../../lib/stream/event-log';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

const ev = (phoneId: number): SessionEngineEvent => ({ type: 'restart', phoneId, phoneJid: `${phoneId}@s.whatsapp.net`, at: new Date().toISOString() });

test('an event is numbered once, whoever records it first', () => {
  const log = new EventLog(10);
  const e = ev(1);
  const a = log.record(e);
  const b = log.record(e);
  assert.equal(a, b);
  assert.equal(a.id, `${log.epoch}-1`);
  assert.equal(log.record(ev(2)).seq, 2);
  assert.equal(log.currentId(), `${log.epoch}-2`);
});

test('resume: what was missed, in order; an empty list when nothing was', () => {
  const log = new EventLog(5);
  for (let i = 1; i <= 4; i++) log.record(ev(i));
  const r = log.resume(`${log.epoch}-2`);
  assert.equal(r.kind, 'resume');
  assert.deepEqual(r.kind === 'resume' && r.events.map((e) => e.seq), [3, 4]);
  const none = log.resume(log.currentId());
  assert.deepEqual(none.kind === 'resume' && none.events, []);
  assert.deepEqual(log.resume(null), { kind: 'fresh' });
});

test('the buffer is bounded: an older gap, another process or a future id asks for a reset', () => {
  const log = new EventLog(3);
  for (let i = 1; i <= 10; i++) log.record(ev(i));
  // kept: 8, 9, 10 → a client that saw 7 can resume, one that saw 6 cannot
  const ok = log.resume(`${log.epoch}-7`);
  assert.deepEqual(ok.kind === 'resume' && ok.events.map((e) => e.seq), [8, 9, 10]);
  assert.deepEqual(log.resume(`${log.epoch}-6`), { kind: 'reset', reason: 'gap' });
  assert.deepEqual(log.resume('otherepoch-9'), { kind: 'reset', reason: 'unknown-id' });
  assert.deepEqual(log.resume(`${log.epoch}-11`), { kind: 'reset', reason: 'unknown-id' });
  assert.deepEqual(log.resume('garbage'), { kind: 'reset', reason: 'unknown-id' });
});
