// Reliability under load: a restart/close/start storm, and a fault storm of drops, 515s and
// decryption faults. Afterwards every phone has at most one connection at the simulator, the
// manager's state matches it, nothing was rejected unhandled, and memory is back near baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Simulator } from '../../../simulator';
import type { SessionManager } from '../../../lib/sessions/manager';
import { startEngineHarness } from '../../support/harness';
import { pairPhones } from '../../support/pairing';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FAULT_STORM_PHONES = Number(process.env.FAULT_STORM_PHONES ?? 50);
const FAULT_STORM_MS = Number(process.env.FAULT_STORM_MS ?? 60_000);

/**
 * Like the console's process guard, records unhandled rejections instead of dying. Baileys rejects
 * promises nobody awaits when a socket closes mid-login (e.g. "Connection Closed" from its
 * `CB:success` handler, or a bare WebSocket close code such as 1006 from its waitForMessage, which
 * rejects with the 'close' event's first argument); those are contained and counted. Any
 * rejection whose stack passes through
 * the console's own code (lib/, simulator/) fails the test.
 */
function trackUnhandled() {
  // Only the text is kept: an Error object holds its stack frames, and through them the dead
  // socket it came from, which would make the memory check measure this tracker.
  const seen: string[] = [];
  const previous = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const onRejection = (err: unknown) => seen.push(typeof err === 'number' ? `close code ${err}` : String((err as Error)?.stack ?? err));
  process.on('unhandledRejection', onRejection);
  const ours = () =>
    seen.filter((stack) => {
      if (stack.startsWith('close code ')) return false; // Baileys' waitForMessage: the WebSocket close code
      // Raised inside Baileys (its first frame is Baileys code), e.g. a query that learns its
      // socket closed: Baileys' own promise that Baileys does not await. Contained, not ours.
      const firstFrame = stack.split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
      if (firstFrame.includes(path.join('node_modules', '@whiskeysockets', 'baileys'))) return false;
      return stack.includes(path.join(ROOT, 'lib') + path.sep) || stack.includes(path.join(ROOT, 'simulator') + path.sep) || !stack.includes(path.join('node_modules', '@whiskeysockets', 'baileys'));
    });
  return {
    seen,
    ours,
    stop: () => {
      process.off('unhandledRejection', onRejection);
      for (const l of previous) process.on('unhandledRejection', l as (...args: unknown[]) => void);
    },
  };
}

/** Waits until every session is settled in a steady state (open or closed) and the simulator agrees. */
async function steady(manager: SessionManager, sim: Simulator, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await manager.settled();
    const snaps = manager.snapshots();
    const connections = new Map(sim.phones().map((p) => [p.phoneJid, p.connections]));
    const consistent = snaps.every((s) =>
      s.state === 'open' ? connections.get(s.phoneJid) === 1 : s.state === 'closed' || s.state === 'logged_out' ? (connections.get(s.phoneJid) ?? 0) === 0 : false,
    );
    if (consistent) return snaps;
    if (Date.now() > deadline) throw new Error(`not steady: ${JSON.stringify(snaps.map((s) => [s.phoneJid, s.state, connections.get(s.phoneJid)]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('restart storm: 50 concurrent restart/close/start calls across 10 phones', async (t) => {
  const unhandled = trackUnhandled();
  t.after(() => unhandled.stop());
  const { sim, tdb, manager } = await startEngineHarness(t);
  const jids = Array.from({ length: 10 }, (_, i) => `7708100${String(i).padStart(4, '0')}@s.whatsapp.net`);
  const phones = await pairPhones(tdb.db, manager, sim, jids);
  const ops = Array.from({ length: 50 }, (_, i) => {
    const phone = phones[i % phones.length];
    const op = ['restart', 'close', 'start', 'restart', 'start'][Math.floor(i / phones.length) % 5];
    return op === 'restart' ? manager.restartSession(phone.id) : op === 'close' ? manager.forceCloseSession(phone.id, 'storm') : manager.start(phone.id);
  });
  await Promise.all(ops);
  const snaps = await steady(manager, sim);
  for (const jid of jids) assert.ok((sim.phones().find((p) => p.phoneJid === jid)?.connections ?? 0) <= 1, jid);
  await manager.settled();
  for (const s of snaps) {
    const row = await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: s.phoneId } });
    assert.equal(row.status, s.state, `stored status of ${s.phoneJid} matches the session`);
  }
  t.diagnostic(`Baileys-internal rejections contained: ${unhandled.seen.length}`);
  assert.deepEqual(unhandled.ours(), []);
});

test(`fault storm: drops, 515s and decryption faults against ${FAULT_STORM_PHONES} phones for ${FAULT_STORM_MS / 1000} s`, async (t) => {
  const unhandled = trackUnhandled();
  t.after(() => unhandled.stop());
  // Generous limits so the storm exercises reconnects rather than closing everything at once.
  const { sim, tdb, manager } = await startEngineHarness(t, { settings: { limits: { maxBadMacErrors: 1000, maxBadDecryptErrors: 1000 }, reconnectBaseMs: 50, reconnectMaxMs: 500, reconnectMaxAttempts: 1000 } });
  let badMacEvents = 0;
  const unsubscribe = manager.subscribe((e) => {
    if (e.type === 'decrypt-failure' && e.kind === 'bad-mac') badMacEvents++;
  });
  t.after(() => unsubscribe());
  const jids = Array.from({ length: FAULT_STORM_PHONES }, (_, i) => `7708200${String(i).padStart(4, '0')}@s.whatsapp.net`);
  await pairPhones(tdb.db, manager, sim, jids);
  global.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  const faults = ['drop', 'restart-required', 'bad-mac', 'bad-decrypt', 'message'] as const;
  const counts: Record<string, number> = {};
  const until = Date.now() + FAULT_STORM_MS;
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  // A few workers pick a random phone and fault each round; phones that are reconnecting are skipped.
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      while (Date.now() < until) {
        const jid = jids[Math.floor(random() * jids.length)];
        const type = faults[Math.floor(random() * faults.length)];
        try {
          await sim.inject(jid, { type });
          counts[type] = (counts[type] ?? 0) + 1;
        } catch {
          // 404: the phone is between connections right now
        }
        await new Promise((r) => setImmediate(r));
      }
    }),
  );
  t.diagnostic(`faults delivered: ${JSON.stringify(counts)}`);
  assert.ok(Object.values(counts).reduce((a, b) => a + b, 0) > FAULT_STORM_PHONES, 'the storm delivered faults');
  const snaps = await steady(manager, sim);
  assert.ok(snaps.every((s) => s.state === 'open'), 'every phone is back open after the storm');
  // Counters and stored events agree: every counted failure is a stored event.
  await manager.settled();
  assert.equal(await tdb.db.sessionEvent.count({ where: { type: 'decrypt:bad-mac' } }), badMacEvents);
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  t.diagnostic(`heap before ${(baseline / 1e6).toFixed(1)} MB, after ${(after / 1e6).toFixed(1)} MB`);
  assert.ok(after < baseline * 1.5 + 20e6, `heap back near baseline (${(baseline / 1e6).toFixed(1)} → ${(after / 1e6).toFixed(1)} MB)`);
  t.diagnostic(`Baileys-internal rejections contained: ${unhandled.seen.length}`);
  assert.deepEqual(unhandled.ours(), [], 'no unhandled rejection from the console');
});
