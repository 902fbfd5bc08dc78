import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox, type OutboxWrite } from '../../../lib/sessions/store/outbox';
import { isDatabaseUnavailable as isUnreachable } from '../../../lib/sessions/store';

const down = () => Object.assign(new Error("Can't reach database server at 127.0.0.1:5999"), { code: 'P1001' });
const event = (n: number): OutboxWrite => ({ kind: 'event', data: { phoneId: 1, type: `e${n}`, sender: null, count: null, message: null, detail: null, uid: `u${n}` } });
const state = (status: string, more: object = {}): OutboxWrite => ({ kind: 'state', data: { status, ...more } });
const label = (w: OutboxWrite) => (w.kind === 'event' ? w.data.type : w.kind === 'state' ? `state:${w.data.status}` : `interval:${w.data.state}`);

/** A fake database: up or down, remembers what was applied. */
function fakeDb() {
  const db = { up: true, applied: [] as OutboxWrite[], calls: 0, wake: null as null | (() => void) };
  return {
    db,
    sleep: () => new Promise<void>((r) => (db.wake = r)),
    apply: async (writes: OutboxWrite[]) => {
      db.calls++;
      await Promise.resolve();
      if (!db.up) throw down();
      if (writes.some((w) => w.kind === 'event' && w.data.type === 'bad')) throw new Error('CHECK constraint failed');
      db.applied.push(...writes);
    },
  };
}

test('outbox: writes are applied in order; while the database is down they wait and are applied once it is back', async () => {
  const f = fakeDb();
  const box = new Outbox({ apply: f.apply, isUnreachable, sleep: f.sleep });
  box.push(state('connecting'));
  box.push(event(1));
  await box.idle();
  assert.deepEqual(f.db.applied.map(label), ['state:connecting', 'e1']);
  f.db.up = false;
  box.push(state('open'));
  for (let i = 2; i <= 5; i++) box.push(event(i));
  await new Promise((r) => setImmediate(r));
  assert.equal(box.unreachable, true);
  box.push(state('closed', { lastCloseReason: 'replaced' }));
  f.db.wake!(); // a retry while still down
  await new Promise((r) => setImmediate(r));
  assert.equal(box.size, 6, 'nothing lost, nothing applied');
  f.db.up = true;
  f.db.wake!();
  await box.idle();
  assert.equal(box.unreachable, false);
  assert.deepEqual(f.db.applied.map(label), ['state:connecting', 'e1', 'state:open', 'e2', 'e3', 'e4', 'e5', 'state:closed']);
  assert.equal(box.droppedEvents, 0);
});

test('outbox: when full, state writes are coalesced (keeping older fields), then new events are dropped and counted', async () => {
  const f = fakeDb();
  const warnings: string[] = [];
  const log = { warn: (_: object, m: string) => void warnings.push(m), error: () => {}, info: () => {} };
  const box = new Outbox({ apply: f.apply, isUnreachable, sleep: f.sleep, limit: 6, maxGroup: 2, log });
  f.db.up = false;
  const connectedAt = new Date('2026-11-25T10:00:00Z');
  box.push(state('open', { lastConnectedAt: connectedAt }));
  box.push(event(1));
  await new Promise((r) => setImmediate(r)); // the first try failed: waiting for the database
  box.push(state('connecting'));
  box.push(event(2));
  box.push(state('closed', { lastCloseReason: 'Connection replaced' }));
  box.push(event(3)); // full now: 6
  box.push(event(4)); // open, connecting and closed coalesce into one: fits
  box.push(event(5));
  box.push(state('connecting', { lastConnectedAt: new Date('2026-11-25T10:05:00Z') })); // full, one state waits: the oldest event (e1) makes room
  box.push(event(6)); // the two states coalesce: fits
  box.push(event(7)); // full, one state: dropped
  assert.equal(box.size, 6);
  assert.equal(box.droppedEvents, 2);
  assert.equal(box.coalescedStates, 3);
  assert.ok(warnings.some((w) => /events dropped/.test(w)), 'a log line says events were dropped');
  f.db.up = true;
  f.db.wake!();
  await box.idle();
  assert.deepEqual(f.db.applied.map(label), ['e2', 'e3', 'e4', 'e5', 'state:connecting', 'e6'], 'in order, minus the dropped events');
  const last = f.db.applied[4];
  assert.deepEqual(last.kind === 'state' && last.data, {
    status: 'connecting',
    lastConnectedAt: new Date('2026-11-25T10:05:00Z'),
    lastCloseReason: 'Connection replaced',
  }, 'the coalesced write keeps the fields only older writes set');
});

test('outbox: writes being applied are never coalesced away', async () => {
  let release!: () => void;
  const applied: string[] = [];
  const box = new Outbox({
    apply: async (writes) => {
      await new Promise<void>((r) => (release = r));
      applied.push(...writes.map(label));
    },
    isUnreachable,
    limit: 3,
    maxGroup: 2,
  });
  box.push(state('open')); // taken at once: in flight
  box.push(state('closing'));
  box.push(state('closed')); // full: 3
  box.push(state('connecting')); // the waiting two merge; the one in flight stays
  assert.equal(box.size, 3);
  release();
  while (applied.length < 1) await new Promise((r) => setImmediate(r));
  release();
  await box.idle();
  assert.deepEqual(applied, ['state:open', 'state:closed', 'state:connecting']);
  assert.equal(box.coalescedStates, 1);
  assert.equal(box.droppedEvents, 0);
});

test('outbox: a write that is wrong (not late) is dropped and logged, the others are applied', async () => {
  const f = fakeDb();
  const errors: string[] = [];
  const box = new Outbox({ apply: f.apply, isUnreachable, sleep: f.sleep, log: { warn: () => {}, error: (_: object, m: string) => void errors.push(m), info: () => {} } });
  box.push(event(1));
  box.push({ kind: 'event', data: { ...(event(2).data as object), type: 'bad' } as never });
  box.push(event(3));
  await box.idle();
  assert.deepEqual(f.db.applied.map(label), ['e1', 'e3']);
  assert.equal(box.droppedFailed, 1);
  assert.equal(errors.length, 1);
});

test('isUnreachable: outages yes, bad writes no', () => {
  assert.ok(isUnreachable(down()));
  assert.ok(isUnreachable({ code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }));
  assert.ok(isUnreachable({ code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01' } } } }));
  assert.ok(isUnreachable(new Error('Connection terminated unexpectedly')));
  assert.ok(!isUnreachable(new Error('key write refused by the test')));
  assert.ok(!isUnreachable({ code: 'P2003', message: 'Foreign key constraint violated' }));
  assert.ok(!isUnreachable(undefined));
});

test('outbox: a write that fails because the database host is unreachable (EHOSTUNREACH) is kept, not dropped', async () => {
  // The store and the error mapper share one classifier (lib/db/unavailable.ts); the store's own
  // copy once missed EHOSTUNREACH and dropped the write as if it were wrong.
  const unroutable = [
    Object.assign(new Error('connect EHOSTUNREACH 10.9.9.9:5432'), { code: 'EHOSTUNREACH' }),
    { name: 'PrismaClientKnownRequestError', code: 'P2010', message: 'x', meta: { driverAdapterError: { cause: { kind: 'postgres', code: 'EHOSTUNREACH' } } } },
    { name: 'DriverAdapterError', message: 'x', cause: { kind: 'postgres', code: '08006' } },
    { name: 'DriverAdapterError', message: 'x', cause: { kind: 'postgres', code: '08P01' } },
    { name: 'DriverAdapterError', message: 'x', cause: { kind: 'TransactionAlreadyClosed' } },
  ];
  for (const failure of unroutable) {
    const applied: OutboxWrite[] = [];
    let fail = true;
    let wake: (() => void) | null = null;
    const box = new Outbox({
      apply: async (writes) => {
        await Promise.resolve();
        if (fail) throw failure;
        applied.push(...writes);
      },
      isUnreachable,
      sleep: () => new Promise<void>((r) => (wake = r)),
    });
    box.push(state('open'));
    await new Promise((r) => setImmediate(r));
    assert.equal(box.unreachable, true, JSON.stringify(failure));
    assert.equal(box.size, 1, 'the write waits for the database');
    fail = false;
    wake!();
    await box.idle();
    assert.deepEqual(applied.map(label), ['state:open']);
  }
  assert.equal(isUnreachable(new Error('CHECK constraint failed')), false, 'a wrong write is still not retried');
});

test('outbox: closed (its session abandoned) it drops what waits, refuses what comes and never retries (issue 21.7)', async () => {
  const f = fakeDb();
  const box = new Outbox({ apply: f.apply, isUnreachable, sleep: f.sleep });
  f.db.up = false;
  box.push(state('closing'));
  box.push(event(1));
  box.push(state('connecting'));
  await new Promise((r) => setImmediate(r));
  assert.equal(box.unreachable, true, 'waiting for the database');
  box.close();
  box.push(event(2)); // a late write of the abandoned session
  f.db.up = true;
  f.db.wake!(); // the retry that would have applied them
  await box.idle();
  assert.deepEqual(f.db.applied, [], 'nothing of the abandoned session lands once the database is back');
  assert.equal(box.size, 0);
  assert.equal(box.droppedClosed, 4, 'the 3 waiting and the late one, counted');
  const calls = f.db.calls;
  box.push(state('open'));
  await box.idle();
  assert.equal(f.db.calls, calls, 'no apply after close');
});

test('outbox: closed while a group is in flight, a failure of that group is not retried', async () => {
  const f = fakeDb();
  let fail: (err: Error) => void = () => {};
  const box = new Outbox({
    apply: (writes) => (f.db.up ? f.apply(writes) : new Promise<void>((_, reject) => (fail = reject))),
    isUnreachable,
    sleep: f.sleep,
  });
  f.db.up = false;
  box.push(state('closing'));
  await new Promise((r) => setImmediate(r));
  box.push(event(1));
  box.close();
  fail(down());
  await box.idle();
  assert.equal(f.db.calls, 0);
  assert.equal(box.droppedClosed, 2, 'the group in flight and the waiting event');
  assert.equal(box.size, 0);
});
