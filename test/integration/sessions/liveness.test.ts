// The liveness probe (issue 26.1–2) against the real Baileys client and the simulator: a
// connection frozen one way (keep-alive pings answered, nothing else) is caught within
// PROBE_INTERVAL_MS × PROBE_FAILURES plus the timeout, reported, restarted once, and recovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngineHarness } from '../../support/harness';
import { pairPhones } from '../../support/pairing';
import { Prober } from '../../../lib/health/prober';
import { getHealthEvents, type HealthEvent } from '../../../lib/health/events';
import { DEFAULT_MESSAGE_SETTINGS } from '../../../lib/messages/engine';
import { submitMessage } from '../../../lib/messages/service';
import { setDb } from '../../../lib/db/client';
import { setSessionManager } from '../../../lib/sessions/manager';
import { simMessaging } from '../../support/sim-messaging';

const INTERVAL = 400;
const TIMEOUT = 300;
const FAILURES = 2;

function healthRecorder() {
  const events: HealthEvent[] = [];
  const waiters = new Set<() => void>();
  const off = getHealthEvents().subscribe((e) => {
    events.push(e);
    for (const w of waiters) w();
  });
  return {
    events,
    off,
    waitFor(pred: (e: HealthEvent) => boolean, timeoutMs = 30_000): Promise<HealthEvent> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for a health event; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Resolves once `n` more probes have started (and the last of them had time to be answered or time out). */
async function probesStarted(prober: Prober, n: number) {
  const target = prober.started + n;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (prober.started < target) return;
      clearInterval(timer);
      setTimeout(resolve, TIMEOUT + 50);
    }, 20);
  });
}

async function setUp(t: import('node:test').TestContext, restart: boolean) {
  const h = await startEngineHarness(t, { settings: { probe: { failures: FAILURES, restart } } });
  const health = healthRecorder();
  t.after(() => health.off());
  const [a, b] = await pairPhones(h.tdb.db, h.manager, h.sim, [`7708500${restart ? 1 : 2}001@s.whatsapp.net`, `7708500${restart ? 1 : 2}002@s.whatsapp.net`]);
  const prober = new Prober({ targets: () => h.manager.probeTargets(), intervalMs: INTERVAL, timeoutMs: TIMEOUT }).start();
  t.after(() => prober.stop());
  return { ...h, health, a, b, prober };
}

test('a one-way frozen connection is caught by the probe, reported, restarted once and recovers', async (t) => {
  const { sim, manager, rec, health, a, b, prober } = await setUp(t, true);
  // Probes answered while nothing is frozen: two full rounds, no incident.
  await probesStarted(prober, 4);
  assert.equal(health.events.length, 0, 'no incident while every phone answers');
  const connBefore = sim.connections().filter((c) => c.phoneJid === b.phoneJid && c.loggedIn).map((c) => c.conn);
  const aConn = sim.connections().filter((c) => c.phoneJid === a.phoneJid && c.loggedIn).map((c) => c.conn);

  const mark = rec.mark();
  const frozenAt = Date.now();
  await sim.inject(b.phoneJid, { type: 'freeze' });
  const caught = await health.waitFor((e) => e.type === 'phone-unresponsive' && e.phoneId === b.id);
  const elapsed = Date.parse(caught.at) - frozenAt;
  // The bound, plus 1 s for a shared, loaded 2-CPU machine's event loop.
  const bound = INTERVAL * FAILURES + TIMEOUT;
  assert.ok(elapsed <= bound + 1000, `caught after ${elapsed} ms (bound ${bound} ms + 1 s)`);
  assert.equal(caught.type === 'phone-unresponsive' && caught.restarting, true);
  assert.equal(caught.type === 'phone-unresponsive' && caught.afterRestart, false);
  assert.equal(caught.organizationId, b.organizationId);

  // Health critical with the reason, on the stream's stats event (before the restart closes it).
  const stats = await rec.waitFor((e) => e.type === 'stats' && e.phoneId === b.id && e.healthReason === 'unresponsive', 10_000, mark);
  assert.equal(stats.type === 'stats' && stats.health, 'critical');

  // Restarted: a new connection at the simulator opens, the frozen one is gone; then a probe is answered.
  await rec.waitFor((e) => e.type === 'restart' && e.phoneId === b.id, 10_000, mark);
  const reopened = rec.mark();
  await rec.waitFor((e) => e.type === 'state' && e.phoneId === b.id && e.state === 'open', 30_000, mark);
  const recovered = await health.waitFor((e) => e.type === 'phone-recovered' && e.phoneId === b.id);
  assert.equal(recovered.type === 'phone-recovered' && recovered.how, 'probe-ok');
  assert.equal(recovered.type === 'phone-recovered' && recovered.since, caught.at);
  const connAfter = sim.connections().filter((c) => c.phoneJid === b.phoneJid && c.loggedIn).map((c) => c.conn);
  assert.equal(connAfter.length, 1);
  assert.ok(!connBefore.includes(connAfter[0]), 'a new connection replaced the frozen one');
  const snap = manager.snapshot(b.id)!;
  assert.deepEqual([snap.state, snap.health, snap.healthReason], ['open', 'healthy', null]);

  // Exactly one restart for the incident; the other phone was never touched.
  assert.equal(rec.events.slice(mark).filter((e) => e.type === 'restart' && e.phoneId === b.id).length, 1);
  // Critical until a probe of the new socket is answered; the stream's last word is healthy.
  const lastStats = rec.events.slice(reopened).filter((e) => e.type === 'stats' && e.phoneId === b.id).at(-1);
  assert.deepEqual(lastStats?.type === 'stats' && [lastStats.health, lastStats.healthReason], ['healthy', null]);
  assert.ok(!health.events.some((e) => e.phoneId === a.id), 'the answering phone has no incident');
  assert.deepEqual(sim.connections().filter((c) => c.phoneJid === a.phoneJid && c.loggedIn).map((c) => c.conn), aConn);
  // The stored event history says so too.
  await manager.settled();
});

test('with PROBE_RESTART off an unresponsive phone is reported once and stays critical', async (t) => {
  const { sim, manager, rec, health, b, tdb, prober } = await setUp(t, false);
  const mark = rec.mark();
  await sim.inject(b.phoneJid, { type: 'freeze' });
  const caught = await health.waitFor((e) => e.type === 'phone-unresponsive' && e.phoneId === b.id);
  assert.equal(caught.type === 'phone-unresponsive' && caught.restarting, false);
  // Two more rounds of probes (four probes of two phones): still critical, no restart, no second report.
  await rec.waitFor((e) => e.type === 'stats' && e.phoneId === b.id && e.healthReason === 'unresponsive', 10_000, mark);
  await probesStarted(prober, 4);
  const snap = manager.snapshot(b.id)!;
  assert.deepEqual([snap.state, snap.health, snap.healthReason], ['open', 'critical', 'unresponsive']);
  assert.equal(rec.events.slice(mark).filter((e) => e.type === 'restart').length, 0);
  assert.equal(health.events.filter((e) => e.type === 'phone-unresponsive').length, 1);
  // An operator's close ends the incident.
  await manager.forceCloseSession(b.id, 'Closed by a test');
  const ended = await health.waitFor((e) => e.type === 'phone-recovered' && e.phoneId === b.id);
  assert.equal(ended.type === 'phone-recovered' && ended.how, 'stopped');
  await manager.settled();
  const stored = await tdb.db.sessionEvent.findMany({ where: { phoneId: b.id, type: { startsWith: 'health:' } } });
  assert.deepEqual(stored.map((e) => e.type), ['health:unresponsive']);
});

test('a phone that sends but gets no server ack in time is unresponsive too (no probe running)', async (t) => {
  const h = await startEngineHarness(t, { settings: { probe: { failures: 2, restart: false }, messages: { ...DEFAULT_MESSAGE_SETTINGS, ackTimeoutMs: 300, phoneIntervalMs: 0, recipientIntervalMs: 0, maxAttempts: 5 } } });
  const health = healthRecorder();
  t.after(() => health.off());
  await setDb(h.tdb.db);
  setSessionManager(h.manager);
  t.after(() => {
    setSessionManager(undefined);
    return setDb(undefined);
  });
  const [phone] = await pairPhones(h.tdb.db, h.manager, h.sim, ['77085003001@s.whatsapp.net']);
  const msg = simMessaging(h.sim.controlUrl);
  const send = (text: string) => submitMessage({ phoneId: phone.id, to: '15550003333@s.whatsapp.net', text, idempotencyKey: null, raw: { text } }, false);
  // Acked: an answer, no incident.
  const first = await send('one');
  await h.rec.waitFor((e) => e.type === 'message.status' && e.messageId === first.message.id && e.status === 'sent', 30_000);
  assert.equal(health.events.length, 0);
  // The simulator stops acking this phone's messages: each send waits 300 ms for nothing.
  await msg.setPhoneAck(phone.phoneJid, false);
  await send('two');
  const caught = await health.waitFor((e) => e.type === 'phone-unresponsive' && e.phoneId === phone.id, 30_000);
  assert.equal(caught.type === 'phone-unresponsive' && caught.failures, 2);
  const snap = h.manager.snapshot(phone.id)!;
  assert.deepEqual([snap.state, snap.health, snap.healthReason], ['open', 'critical', 'unresponsive']);
  // Acks again: the resend of the same message is acked, the incident ends.
  await msg.setPhoneAck(phone.phoneJid, true);
  const recovered = await health.waitFor((e) => e.type === 'phone-recovered' && e.phoneId === phone.id, 30_000);
  assert.equal(recovered.type === 'phone-recovered' && recovered.how, 'probe-ok');
  await h.manager.settled();
});
