// Reliability under load: a restart/close/start storm, and a fault storm of drops, 515s and
// decryption faults with the seed's limits (phones auto-close and are started again). Afterwards
// every phone is open with exactly one connection at the simulator, the manager's state and the
// database match it, nothing from the console was rejected unhandled (teardown included), and
// memory is back near baseline.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Simulator } from '../../../simulator';
import type { SessionManager } from '../../../lib/sessions/manager';
import { classifyRejection } from '../../../lib/sessions/process-guard';
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
 * rejection whose stack passes through the console's own code (lib/, simulator/) fails the test.
 *
 * One tracker for the whole file, installed until the process exits: Baileys keeps work running
 * after its socket closed (a failed decryption schedules a "placeholder resend" to the phone 5 s
 * later, which then rejects with "Connection Closed"), so rejections keep arriving after a test's
 * teardown. Handing them back to the test runner would fail the file on Baileys' own leftovers;
 * instead each test checks its own window, and whatever arrives later is checked at exit.
 */
function trackUnhandled() {
  // Only the text is kept: an Error object holds its stack frames, and through them the dead
  // socket it came from, which would make the memory check measure this tracker.
  const seen: string[] = [];
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', (err: unknown) => {
    // What the console's own guard contains (e.g. a write reset whose stack ends inside ws) is
    // Baileys' by the guard's definition.
    const kind = classifyRejection(err);
    seen.push(kind ? `contained ${kind}` : typeof err === 'number' ? `close code ${err}` : String((err as Error)?.stack ?? err));
  });
  const isOurs = (stack: string) => {
    if (stack.startsWith('contained ')) return false;
    if (stack.startsWith('close code ')) return false; // Baileys' waitForMessage: the WebSocket close code
    // Raised inside Baileys (its first frame is Baileys code), e.g. a query that learns its
    // socket closed: Baileys' own promise that Baileys does not await. Contained, not ours.
    const firstFrame = stack.split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
    if (firstFrame.includes(path.join('node_modules', '@whiskeysockets', 'baileys'))) return false;
    return stack.includes(path.join(ROOT, 'lib') + path.sep) || stack.includes(path.join(ROOT, 'simulator') + path.sep) || !stack.includes(path.join('node_modules', '@whiskeysockets', 'baileys'));
  };
  process.on('exit', () => {
    const late = seen.filter(isOurs);
    if (late.length) {
      process.stderr.write(`unhandled rejections from the console's code after the tests:\n${late.join('\n---\n')}\n`);
      process.exitCode = 1;
    }
  });
  return {
    seen,
    /** The console's own rejections since `from` (an index into `seen`). */
    ours: (from = 0) => seen.slice(from).filter(isOurs),
  };
}

// Installed by the first test (the test runner adds its own handler when the first test is declared).
let tracker: ReturnType<typeof trackUnhandled> | undefined;
const tracked = () => (tracker ??= trackUnhandled());

/**
 * Checks the test's window of rejections after its teardown: registered after the harness, so it
 * runs after manager.shutdown() and sim.close() (hooks run in registration order).
 */
function checkRejectionsAfterTeardown(t: TestContext, from: number) {
  t.after(() => {
    assert.deepEqual(tracked().ours(from), [], 'no unhandled rejection from the console, teardown included');
  });
}

/**
 * Waits until every phone is open again with exactly one connection at the simulator, and the
 * manager knows exactly the phones given. A phone left closed or with a second socket fails.
 */
async function steady(manager: SessionManager, sim: Simulator, jids: string[], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await manager.settled();
    const snaps = manager.snapshots();
    const connections = new Map(sim.phones().map((p) => [p.phoneJid, p.connections]));
    const consistent = snaps.length === jids.length && jids.every((jid) => snaps.some((s) => s.phoneJid === jid && s.state === 'open' && connections.get(jid) === 1));
    if (consistent) return snaps;
    if (Date.now() > deadline) throw new Error(`not steady: ${JSON.stringify(snaps.map((s) => [s.phoneJid, s.state, connections.get(s.phoneJid)]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Injections may only fail because the phone is between connections (404) or has not uploaded its keys yet (409). */
function expectedInjectionFailure(err: unknown): boolean {
  const status = (err as { status?: number })?.status;
  return status === 404 || status === 409;
}

test('restart storm: 50 concurrent restart/close/start calls across 10 phones', async (t) => {
  const unhandled = tracked();
  const from = unhandled.seen.length;
  const { sim, tdb, manager } = await startEngineHarness(t);
  checkRejectionsAfterTeardown(t, from);
  const jids = Array.from({ length: 10 }, (_, i) => `7708100${String(i).padStart(4, '0')}@s.whatsapp.net`);
  const phones = await pairPhones(tdb.db, manager, sim, jids);
  const ops = Array.from({ length: 50 }, (_, i) => {
    const phone = phones[i % phones.length];
    const op = ['restart', 'close', 'start', 'restart', 'start'][Math.floor(i / phones.length) % 5];
    return op === 'restart' ? manager.restartSession(phone.id) : op === 'close' ? manager.forceCloseSession(phone.id, 'storm') : manager.start(phone.id);
  });
  await Promise.all(ops);
  // Each phone's calls run in call order, and its last one is a start: every phone ends open.
  const snaps = await steady(manager, sim, jids);
  for (const jid of jids) assert.equal(sim.phones().find((p) => p.phoneJid === jid)?.connections, 1, jid);
  await manager.settled();
  for (const s of snaps) {
    const row = await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: s.phoneId } });
    assert.equal(row.status, s.state, `stored status of ${s.phoneJid} matches the session`);
  }
  t.diagnostic(`Baileys-internal rejections contained: ${unhandled.seen.length - from}`);
  assert.deepEqual(unhandled.ours(from), []);
});

test(`fault storm: drops, 515s and decryption faults against ${FAULT_STORM_PHONES} phones for ${FAULT_STORM_MS / 1000} s (and until one auto-closes), with auto-closes`, async (t) => {
  const unhandled = tracked();
  const from = unhandled.seen.length;
  // The seed's limits (3 Bad MAC, 5 Bad Decrypt): phones auto-close during the storm, and an
  // operator starts them again, as the console's restart button would.
  const { sim, tdb, manager, rec } = await startEngineHarness(t, { settings: { reconnectBaseMs: 50, reconnectMaxMs: 500, reconnectMaxAttempts: 1000 } });
  checkRejectionsAfterTeardown(t, from);
  let badMacEvents = 0;
  let autoCloses = 0;
  const otherCloses: string[] = [];
  const restarts: Promise<void>[] = [];
  const unsubscribe = manager.subscribe((e) => {
    if (e.type === 'decrypt-failure' && e.kind === 'bad-mac') badMacEvents++;
    if (e.type === 'auto-closed') autoCloses++;
    if (e.type === 'state' && e.state === 'closed') {
      // The only way a phone may close in this storm is its decryption limit: drops and 515s reconnect.
      if (!/limit reached/.test(e.reason ?? '')) otherCloses.push(`${e.phoneJid}: ${e.reason}`);
      else restarts.push(manager.start(e.phoneId));
    }
    if (e.type === 'state' && e.state === 'logged_out') otherCloses.push(`${e.phoneJid}: logged out (${e.reason})`);
  });
  t.after(() => unsubscribe());
  const jids = Array.from({ length: FAULT_STORM_PHONES }, (_, i) => `7708200${String(i).padStart(4, '0')}@s.whatsapp.net`);
  await pairPhones(tdb.db, manager, sim, jids);
  global.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  const faults = ['drop', 'restart-required', 'bad-mac', 'bad-decrypt', 'message'] as const;
  const counts: Record<string, number> = {};
  let skipped = 0;
  const until = Date.now() + FAULT_STORM_MS;
  // On a loaded machine fewer faults land in the window (169 in 60 s at load 11, against
  // thousands when quiet) and random Bad MACs may never reach 3 on one phone between its drops:
  // the storm then goes on until the limits have closed a phone (its claim), at most 4 minutes more.
  const stormEnds = () => Date.now() >= until && (autoCloses > 0 || Date.now() >= until + 240_000);
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  // A few workers pick a random phone and fault each round. Only "no live connection" (404) and
  // "keys not uploaded yet" (409) are expected refusals (a phone between connections); any
  // other injection error fails the test.
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      while (!stormEnds()) {
        const jid = jids[Math.floor(random() * jids.length)];
        const type = faults[Math.floor(random() * faults.length)];
        try {
          await sim.inject(jid, { type });
          counts[type] = (counts[type] ?? 0) + 1;
        } catch (err) {
          if (!expectedInjectionFailure(err)) throw err;
          skipped++;
          await new Promise((r) => setTimeout(r, 5)); // do not spin while phones reconnect
        }
        await new Promise((r) => setImmediate(r));
      }
    }),
  );
  t.diagnostic(`faults delivered: ${JSON.stringify(counts)}, skipped (phone between connections): ${skipped}, auto-closes: ${autoCloses}`);
  assert.ok(Object.values(counts).reduce((a, b) => a + b, 0) > FAULT_STORM_PHONES, 'the storm delivered faults');
  assert.ok(autoCloses > 0, 'the decryption limits closed phones during the storm');
  // Every auto-closed phone was started again; wait for those starts (their own failure fails the test).
  let awaited = 0;
  while (awaited < restarts.length) await Promise.all(restarts.slice(awaited, (awaited = restarts.length)));
  const snaps = await steady(manager, sim, jids);
  assert.equal(snaps.length, jids.length);
  assert.deepEqual(otherCloses, [], 'no phone closed for any reason but its decryption limit');
  // Counters and stored events agree: every counted failure is a stored event.
  await manager.settled();
  assert.equal(await tdb.db.sessionEvent.count({ where: { type: 'decrypt:bad-mac' } }), badMacEvents);
  assert.equal(await tdb.db.sessionEvent.count({ where: { type: 'state:closed', message: { contains: 'limit reached' } } }), autoCloses, 'every auto-close is stored');
  for (const s of snaps) {
    const row = await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: s.phoneId } });
    assert.equal(row.status, 'open', `stored status of ${s.phoneJid}`);
  }
  // The harness's own history of every engine event is the test's memory, not the console's.
  rec.events.length = 0;
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  t.diagnostic(`heap before ${(baseline / 1e6).toFixed(1)} MB, after ${(after / 1e6).toFixed(1)} MB`);
  // Bounds relative to this run, no fixed MB. What a fault legitimately leaves grows with the
  // faults delivered: each pkmsg (Bad MAC, Bad Decrypt, message) adds a Signal session state on
  // both sides of this one process (the console's key cache and the simulator's contact; libsignal
  // archives up to 40 states per record), and the simulator keeps its last 20,000 events. That
  // measured 5–6 KB per fault on the shared 2-core machine (77.7 → 94.2 MB for 3,019 faults; 12 KB
  // while the harness still held its event history).
  // Allowed: a tenth of the baseline heap plus 16 KB per delivered fault. What this still catches:
  // a socket kept per reconnect (a Baileys socket with its WebSocket, noise state and buffers;
  // about 40 % of the faults are drops and 515s) or a session kept per auto-close.
  const delivered = Object.values(counts).reduce((a, b) => a + b, 0);
  const allowed = baseline * 0.1 + delivered * 16 * 1024;
  assert.ok(after - baseline < allowed, `heap back near baseline (${(baseline / 1e6).toFixed(1)} → ${(after / 1e6).toFixed(1)} MB; allowed growth ${(allowed / 1e6).toFixed(1)} MB for ${delivered} faults)`);
  t.diagnostic(`Baileys-internal rejections contained: ${unhandled.seen.length - from}`);
  assert.deepEqual(unhandled.ours(from), [], 'no unhandled rejection from the console');
});
