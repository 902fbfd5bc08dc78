// Baileys 7's account signals (reach-out time-lock, new-chat message capping) against the
// simulator's faults: each becomes an `account-signal` event, a stored session event and the
// phone's health reason; lifting them makes the phone healthy again. Real Baileys 7, real SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPhone } from '../../support/engine';
import { startEngineHarness } from '../../support/harness';
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

  e = await signal({ type: 'message-capping', capping: 'NONE' });
  assert.deepEqual([e.health, e.healthReason], ['healthy', null]);
  const stats = rec.events.slice(mark).find((x) => x.type === 'stats' && x.phoneId === phone.id);
  assert.ok(stats && stats.type === 'stats' && stats.health === 'healthy' && stats.healthReason === null, 'the stats event follows');

  await manager.settled();
  const stored = await tdb.db.sessionEvent.findMany({ where: { phoneId: phone.id, type: { startsWith: 'account-signal:' } }, orderBy: { id: 'asc' } });
  assert.deepEqual(stored.map((r) => r.type), ['account-signal:message-capping', 'account-signal:message-capping', 'account-signal:reachout-timelock', 'account-signal:reachout-timelock', 'account-signal:message-capping']);

  // The webhook payloads the events map to (lib/webhooks/outbox.ts accountSignalPayload).
  const payloads = rec.events.filter((x) => x.phoneId === phone.id).map(accountSignalPayload).filter((p) => p !== null);
  assert.equal(payloads.length, 5);
  assert.deepEqual(Object.keys(payloads[0]).sort(), ['health', 'healthReason', 'phoneId', 'phoneJid', 'signal', 'timestamp', 'type']);
  assert.deepEqual([payloads[2].type, payloads[2].healthReason], ['account_signal', 'reachout-locked']);
});
