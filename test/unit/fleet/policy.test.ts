import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimQuota, deadForClaims, observeLockless, mustSelfFence, ownerSilent, reconcile, routeCommand, shedQuota } from '../../../lib/fleet/policy';
import { RemoteView } from '../../../lib/fleet/remote-view';
import type { SessionSnapshot } from '../../../lib/sessions/types';
import { StartGate } from '../../../lib/fleet/start-gate';
import { packMessages } from '../../../lib/fleet/bus';

test('claim quota: a fair share of the phones to run, never past capacity, never negative', () => {
  assert.equal(claimQuota({ toRun: 30, liveNodes: 3, capacity: 100, owned: 0 }), 10);
  assert.equal(claimQuota({ toRun: 31, liveNodes: 3, capacity: 100, owned: 0 }), 11, 'the share rounds up so every phone finds a node');
  assert.equal(claimQuota({ toRun: 30, liveNodes: 3, capacity: 4, owned: 0 }), 4, 'capacity caps the share');
  assert.equal(claimQuota({ toRun: 30, liveNodes: 2, capacity: 100, owned: 10 }), 5, 'a node after failover takes the rest of its share');
  assert.equal(claimQuota({ toRun: 30, liveNodes: 3, capacity: 100, owned: 12 }), 0);
  assert.equal(claimQuota({ toRun: 5, liveNodes: 0, capacity: 100, owned: 0 }), 5, 'with no live node known, this node alone');
});

test('rebalancing: a node above its share hands back a few phones per round, never below its share', () => {
  assert.equal(shedQuota({ toRun: 30, liveNodes: 1, owned: 30 }), 0, 'alone, a node keeps everything');
  assert.equal(shedQuota({ toRun: 30, liveNodes: 3, owned: 30 }), 3, 'at most a quarter of the share per round');
  assert.equal(shedQuota({ toRun: 30, liveNodes: 3, owned: 11 }), 1);
  assert.equal(shedQuota({ toRun: 30, liveNodes: 3, owned: 10 }), 0, 'at its share it stops');
  assert.equal(shedQuota({ toRun: 5, liveNodes: 2, owned: 4 }), 1, 'small fleets even out too (3/2)');
  assert.equal(shedQuota({ toRun: 5, liveNodes: 2, owned: 3 }), 0);
});

test('self-fencing: only once renewals stopped for ttl - margin on the monotonic clock', () => {
  const base = { ttlMs: 10_000, marginMs: 3_000 };
  assert.equal(mustSelfFence({ ...base, lastRenewStartMono: null, nowMono: 1e9 }), false, 'a node that never renewed owns nothing');
  assert.equal(mustSelfFence({ ...base, lastRenewStartMono: 1000, nowMono: 7999 }), false);
  assert.equal(mustSelfFence({ ...base, lastRenewStartMono: 1000, nowMono: 8000 }), true, 'margin before the lease could end');
});

test('reconcile: phones owned elsewhere (or at another epoch) are lost, stored ones not running here are gained', () => {
  const local = new Map([
    [1, 1],
    [2, 1],
    [3, 4],
  ]);
  const { lost, gained } = reconcile(local, [
    { phoneId: 1, epoch: 1 },
    { phoneId: 3, epoch: 5 },
    { phoneId: 9, epoch: 2 },
  ]);
  assert.deepEqual(lost.sort(), [2, 3]);
  assert.deepEqual(gained, [{ phoneId: 9, epoch: 2 }]);
});

test('command routing: here, at the live owner, or unowned when the owner is gone', () => {
  assert.deepEqual(routeCommand('a', { nodeId: 'a', epoch: 3, live: true }), { kind: 'local' });
  assert.deepEqual(routeCommand('a', { nodeId: 'b', epoch: 3, live: true }), { kind: 'remote', nodeId: 'b', epoch: 3 });
  assert.deepEqual(routeCommand('a', { nodeId: 'b', epoch: 3, live: false }), { kind: 'unowned' });
  assert.deepEqual(routeCommand('a', { nodeId: 'a', epoch: 3, live: false }), { kind: 'unowned' }, 'an expired lease of our own is not ownership');
  assert.deepEqual(routeCommand('a', null), { kind: 'unowned' });
});

test('start gate: at most `concurrency` starts in flight, and no faster than the rate', async () => {
  let clock = 0;
  const sleeps: number[] = [];
  const gate = new StartGate({
    concurrency: 2,
    perSecond: 10,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
  });
  let inFlight = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const runs = Array.from({ length: 5 }, () =>
    gate.run(
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
      },
      () =>
        new Promise<void>((r) =>
          releases.push(() => {
            inFlight--;
            r();
          }),
        ),
    ),
  );
  for (let i = 0; i < 5; i++) {
    while (!releases.length) await new Promise((r) => setImmediate(r));
    releases.shift()!();
  }
  await Promise.all(runs);
  assert.equal(peak, 2, 'never more than the concurrency');
  const started = 1 + sleeps.length; // the first start needs no wait
  assert.equal(started, 5);
  assert.ok(clock >= 400, `5 starts at 10/s take at least 400 ms of the gate's clock (took ${clock})`);
});

test('bus messages are packed under the NOTIFY payload limit', () => {
  const items = Array.from({ length: 100 }, (_, i) => ({ i, text: 'x'.repeat(200) }));
  const packs = packMessages(items, 2000);
  assert.ok(packs.length > 1);
  assert.deepEqual(packs.flat(), items, 'nothing lost, order kept');
  for (const p of packs) assert.ok(Buffer.byteLength(JSON.stringify(p)) <= 2000);
});

test('a silent owner: its last renewal (lease end − lease) older than two renewal intervals on the database clock, or its lease lapsed', () => {
  const l = { ttlMs: 10_000, renewMs: 2000 };
  assert.equal(ownerSilent({ ...l, nowMs: 100_000, leaseExpiresMs: 110_000 }), false, 'renewed just now');
  assert.equal(ownerSilent({ ...l, nowMs: 104_000, leaseExpiresMs: 110_000 }), false, 'two intervals: a renewal may be on its way');
  assert.equal(ownerSilent({ ...l, nowMs: 104_001, leaseExpiresMs: 110_000 }), true, 'a renewal missed');
  assert.equal(ownerSilent({ ...l, nowMs: 110_000, leaseExpiresMs: 110_000 }), true, 'the lease lapsed');
});

test('live view: a silent owner\'s running phones show owner_lost until a newer owner reports them; heard again, their state comes back', () => {
  const snap = (phoneId: number, state: SessionSnapshot['state']) => ({ phoneId, organizationId: 1, phoneJid: `${phoneId}@s.whatsapp.net`, state, isConnected: state === 'open', health: state === 'open' ? 'healthy' : 'closed', healthReason: null, qr: null, pairingCode: null }) as unknown as SessionSnapshot;
  const view = new RemoteView();
  view.apply('b', snap(1, 'open'), 3);
  view.apply('b', snap(2, 'closed'), 1);
  view.apply('c', snap(3, 'open'), 1);
  assert.deepEqual(view.hearOnly(new Set(['b', 'c'])), [], 'everyone heard: nothing changes');
  const v = view.version;
  assert.deepEqual(view.hearOnly(new Set(['c'])), [{ phoneId: 1, nodeId: 'b', phoneJid: '1@s.whatsapp.net', previous: 'open', state: 'owner_lost' }], 'only the running phone of b changes (a closed phone stays closed)');
  assert.ok(view.version > v, 'list caches see the change');
  assert.equal(view.snapshot(1)?.state, 'owner_lost');
  assert.equal(view.snapshot(1)?.isConnected, false);
  assert.equal(view.snapshot(2)?.state, 'closed');
  assert.equal(view.snapshot(3)?.state, 'open');
  assert.deepEqual(view.snapshots().map((s) => s.state), ['owner_lost', 'closed', 'open']);
  assert.deepEqual(view.hearOnly(new Set(['c'])), [], 'said once');
  assert.deepEqual(view.hearOnly(new Set(['b', 'c'])), [{ phoneId: 1, nodeId: 'b', phoneJid: '1@s.whatsapp.net', previous: 'owner_lost', state: 'open' }], 'b renewed again (a short pause)');
  view.hearOnly(new Set(['c']));
  assert.equal(view.apply('c', snap(1, 'connecting'), 4), true, 'the new owner reports the phone');
  assert.equal(view.snapshot(1)?.state, 'connecting');
  assert.equal(view.apply('b', snap(1, 'open'), 3), false, 'the old owner is older');
  view.forgetNode('c');
  assert.equal(view.snapshot(3), null, 'a drained node\'s phones are forgotten');
});

test('fast path: a node without its liveness lock is dead for the claims only after the grace, reported due once, forgotten when its lease lapses', () => {
  const graceMs = 1000;
  let r = observeLockless({ seen: new Map(), lockless: new Set(['a:l1']), nowMono: 100, graceMs });
  assert.deepEqual(r.fresh, ['a:l1']);
  assert.deepEqual(r.due, [], 'not at first sight');
  assert.deepEqual(deadForClaims({ seen: r.seen, nowMono: 100, graceMs }), [], 'not dead for claims within the grace');
  r = observeLockless({ seen: r.seen, lockless: new Set(['a:l1']), nowMono: 900, graceMs });
  assert.deepEqual([r.fresh, r.due], [[], []]);
  assert.deepEqual(deadForClaims({ seen: r.seen, nowMono: 1099, graceMs }), []);
  r = observeLockless({ seen: r.seen, lockless: new Set(['a:l1', 'b:l2']), nowMono: 1100, graceMs });
  assert.deepEqual(r.due, ['a:l1'], 'due once past the grace');
  assert.deepEqual(r.fresh, ['b:l2']);
  assert.deepEqual(deadForClaims({ seen: r.seen, nowMono: 1100, graceMs }), ['a:l1']);
  r = observeLockless({ seen: r.seen, lockless: new Set(['a:l1', 'b:l2']), nowMono: 1500, graceMs });
  assert.deepEqual(r.due, [], 'reported due only once');
  assert.deepEqual(deadForClaims({ seen: r.seen, nowMono: 1500, graceMs }), ['a:l1'], 'still dead for claims');
  r = observeLockless({ seen: r.seen, lockless: new Set(['b:l2']), nowMono: 2200, graceMs });
  assert.deepEqual(r.due, ['b:l2']);
  assert.deepEqual([...r.seen.keys()], ['b:l2'], 'a node whose lease lapsed is forgotten');
});
