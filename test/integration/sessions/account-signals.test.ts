// Baileys 7's account signals (reach-out time-lock, new-chat message capping) against the
// simulator's faults: each becomes an `account-signal` event, a stored session event and the
// phone's health reason; lifting them makes the phone healthy again. Real Baileys 7, real SQLite.
// They are stored on the phone's row: a console restarted on the same database (either provider)
// still reads a capped or reach-out-locked phone as such, and a lock that ended meanwhile is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPhone, eventRecorder, testLogger, testSettings } from '../../support/engine';
import { startEngineHarness, pairByQr } from '../../support/harness';
import { testProviders } from '../../support/databases';
import { SessionManager } from '../../../lib/sessions/manager';
import { loadSignals } from '../../../lib/sessions/account-signals';
import { accountSignalPayload } from '../../../lib/webhooks/outbox';

test('baileys-7: reach-out time-lock and message capping become health reasons, events and webhooks', async (t) => {
  const { sim, tdb, manager, rec } = await startEngineHarness(t);
  const jid = '77079000001@s.whatsapp.net';
  const phone = await addPhone(tdb.db, jid, 'Signals org', 'baileys-7');
  let mark = rec.mark();
  await manager.startBaileys(phone.organizationId, phone.id, jid);
  const qr = await rec.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id, 60_000, mark);
  await sim.scan(jid, (qr as { qr: string }).qr);
  await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 60_000, mark);
  assert.equal(manager.snapshot(phone.id)?.health, 'healthy');

  /** Injects a fault and waits for the account-signal event it causes; returns it with the snapshot's health after it. */
  async function signal(fault: Parameters<typeof sim.inject>[1]) {
    mark = rec.mark();
    await sim.inject(jid, fault);
    const e = await rec.waitFor((x) => x.type === 'account-signal' && x.phoneId === phone.id, 30_000, mark);
    assert.ok(e.type === 'account-signal');
    const snap = manager.snapshot(phone.id)!;
    assert.deepEqual([e.health, e.healthReason], [snap.health, snap.healthReason], 'the event says what the snapshot says');
    return e;
  }

  let e = await signal({ type: 'message-capping', capping: 'FIRST_WARNING' });
  assert.deepEqual(e.signal, { kind: 'message-capping', status: 'FIRST_WARNING', usedQuota: 40, totalQuota: 50, cycleEndsAt: (e.signal as { cycleEndsAt: string }).cycleEndsAt });
  assert.deepEqual([e.health, e.healthReason], ['degraded', 'capping-warning']);

  e = await signal({ type: 'message-capping', capping: 'CAPPED' });
  assert.deepEqual([e.health, e.healthReason], ['critical', 'message-capped']);

  e = await signal({ type: 'reachout-timelock', seconds: 600 });
  assert.ok(e.signal.kind === 'reachout-timelock' && e.signal.active && e.signal.until && Date.parse(e.signal.until) > Date.now());
  assert.deepEqual([e.health, e.healthReason], ['critical', 'reachout-locked'], 'the lock is named first');

  e = await signal({ type: 'reachout-timelock', active: false });
  assert.deepEqual([e.health, e.healthReason], ['critical', 'message-capped'], 'lifted: the capping remains');

  // A lock that ends by the clock: WhatsApp says nothing more, and the live view hears of it then.
  e = await signal({ type: 'reachout-timelock', seconds: 2 });
  assert.ok(e.signal.kind === 'reachout-timelock' && e.signal.until);
  assert.deepEqual([e.health, e.healthReason], ['critical', 'reachout-locked']);
  const lockEnds = Date.parse(e.signal.until);
  mark = rec.mark();
  const ended = await rec.waitFor((x) => x.type === 'stats' && x.phoneId === phone.id && x.healthReason !== 'reachout-locked', 30_000, mark);
  assert.ok(ended.type === 'stats' && ended.health === 'critical' && ended.healthReason === 'message-capped', 'the capping remains');
  assert.ok(Date.now() >= lockEnds, 'not before the lock ends');
  assert.deepEqual([manager.snapshot(phone.id)?.healthReason, manager.snapshot(phone.id)?.accountSignals.reachout], ['message-capped', null]);

  e = await signal({ type: 'message-capping', capping: 'NONE' });
  assert.deepEqual([e.health, e.healthReason], ['healthy', null]);
  const stats = rec.events.slice(mark).find((x) => x.type === 'stats' && x.phoneId === phone.id);
  assert.ok(stats && stats.type === 'stats' && stats.health === 'healthy' && stats.healthReason === null, 'the stats event follows');

  await manager.settled();
  const stored = await tdb.db.sessionEvent.findMany({ where: { phoneId: phone.id, type: { startsWith: 'account-signal:' } }, orderBy: { id: 'asc' } });
  assert.deepEqual(stored.map((r) => r.type), ['account-signal:message-capping', 'account-signal:message-capping', 'account-signal:reachout-timelock', 'account-signal:reachout-timelock', 'account-signal:reachout-timelock', 'account-signal:message-capping']);

  // The webhook payloads the events map to (lib/webhooks/outbox.ts accountSignalPayload).
  const payloads = rec.events.filter((x) => x.phoneId === phone.id).map(accountSignalPayload).filter((p) => p !== null);
  assert.equal(payloads.length, 6);
  assert.deepEqual(Object.keys(payloads[0]).sort(), ['health', 'healthReason', 'phoneId', 'phoneJid', 'signal', 'timestamp', 'type']);
  assert.deepEqual([payloads[2].type, payloads[2].healthReason], ['account_signal', 'reachout-locked']);
});

for (const provider of testProviders()) {
  test(`baileys-7 on ${provider}: the capped and reach-out-locked signals survive a console restart; a lock that ended meanwhile is gone`, async (t) => {
    const h = await startEngineHarness(t, { provider });
    const { sim, tdb, rec } = h;
    const jid = provider === 'sqlite' ? '77079000002@s.whatsapp.net' : '77079000003@s.whatsapp.net';
    const phone = await pairByQr(h, jid, `Signals restart ${provider}`, 'baileys-7');
    const open = (e: { type: string; phoneId: number; state?: string }) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open';

    async function signal(m: SessionManager, r: typeof rec, fault: Parameters<typeof sim.inject>[1]) {
      const mark = r.mark();
      await sim.inject(jid, fault);
      const e = await r.waitFor((x) => x.type === 'account-signal' && x.phoneId === phone.id, 30_000, mark);
      await m.settled();
      return e;
    }
    await signal(h.manager, rec, { type: 'message-capping', capping: 'CAPPED' });
    const locked = await signal(h.manager, rec, { type: 'reachout-timelock', seconds: 600 });
    assert.ok(locked.type === 'account-signal' && locked.signal.kind === 'reachout-timelock');
    const lockedUntil = locked.signal.until;
    const row = await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
    assert.deepEqual(JSON.parse(row.accountSignals ?? 'null'), { reachout: locked.signal, capping: { kind: 'message-capping', status: 'CAPPED', usedQuota: 50, totalQuota: 50, cycleEndsAt: JSON.parse(row.accountSignals!).capping.cycleEndsAt } }, 'stored on the phone');

    /** Stops the running console and boots a new one on the same database; resolves once the phone is open again. */
    let current = h.manager;
    async function restart() {
      await current.shutdown();
      const next = new SessionManager(tdb.db, testSettings(sim.url), testLogger());
      const r = eventRecorder(next);
      t.after(async () => {
        r.unsubscribe();
        await next.shutdown();
      });
      current = next;
      assert.ok((await next.boot()) >= 1);
      await r.waitFor(open, 60_000);
      assert.equal(r.events.filter((e) => e.type === 'account-signal').length, 0, 'WhatsApp (the simulator) did not repeat the signals');
      return { next, r };
    }

    let { next, r } = await restart();
    let snap = next.snapshot(phone.id)!;
    assert.deepEqual([snap.health, snap.healthReason], ['critical', 'reachout-locked'], 'the lock is still in force after the restart');
    assert.equal(snap.accountSignals.reachout?.until, lockedUntil);
    assert.equal(snap.accountSignals.capping?.status, 'CAPPED');
    assert.deepEqual(snap.stats, { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true }, "the seed's stats shape is unchanged");

    // A short lock, then a restart after it ended: the lock is gone, the capping remains.
    const short = await signal(next, r, { type: 'reachout-timelock', seconds: 1 });
    assert.ok(short.type === 'account-signal' && short.signal.kind === 'reachout-timelock' && short.signal.until);
    const ends = Date.parse(short.signal.until);
    await new Promise((res) => setTimeout(res, Math.max(0, ends - Date.now()) + 100));
    ({ next, r } = await restart());
    snap = next.snapshot(phone.id)!;
    assert.equal(snap.accountSignals.reachout, null, 'the ended lock expired on load');
    assert.deepEqual([snap.health, snap.healthReason], ['critical', 'message-capped']);
    // What the API shows of a phone no node runs comes from the same stored form.
    await next.settled();
    const stored = (await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } })).accountSignals;
    assert.deepEqual(loadSignals(stored, Date.now()), snap.accountSignals);
  });
}
