// A phone's history (issue 26.3) from the real engine: three drops of a real Baileys connection
// at the simulator are stored as intervals and read back as three drops with their close codes,
// reconnect times and the uptime the engine's own events give; an operator's close is `stopped`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngineHarness } from '../../support/harness';
import { pairPhones } from '../../support/pairing';
import { testProviders } from '../../support/databases';
import { readPhoneHistory, readHealthSummary } from '../../../lib/health/history-service';
import { historyStateOf, type HistoryState } from '../../../lib/health/history-states';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

/** Uptime computed from the engine's state events alone (not from the stored intervals). */
function uptimeFromEvents(events: SessionEngineEvent[], phoneId: number, until: number): number {
  let band: HistoryState | null = null;
  let since = 0;
  const time = { open: 0, connecting: 0, closed: 0, stopped: 0 };
  for (const e of events) {
    if (e.type !== 'state' || e.phoneId !== phoneId) continue;
    const next = historyStateOf(e.state, e.closeReason);
    if (!next || next === band) continue;
    const at = Date.parse(e.at);
    if (band) time[band] += at - since;
    band = next;
    since = at;
  }
  if (band) time[band] += until - since;
  return time.open / (time.open + time.connecting + time.closed);
}

for (const provider of testProviders()) {
  test(`${provider}: a phone that dropped three times shows three drops and the right uptime`, async (t) => {
    const { sim, tdb, manager, rec } = await startEngineHarness(t, { provider });
    const startedAt = Date.now();
    const [phone] = await pairPhones(tdb.db, manager, sim, [`7708600${provider === 'sqlite' ? 1 : 2}001@s.whatsapp.net`]);
    // Open stretches of 400 ms (shaping the timeline, not proving anything): uptime well inside (0, 1).
    const stayOpen = () => new Promise((r) => setTimeout(r, 400));
    for (let i = 0; i < 3; i++) {
      await stayOpen();
      const mark = rec.mark();
      await sim.inject(phone.phoneJid, { type: 'drop' });
      await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'connecting', 30_000, mark);
      await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 30_000, mark);
    }
    await stayOpen();
    await manager.settled();
    const now = Date.now();
    const h = await readPhoneHistory(tdb.db, phone.id, startedAt - 1000, now, now);

    assert.equal(h.drops, 3);
    assert.equal(h.lastCloses.length, 3);
    for (const c of h.lastCloses) {
      assert.equal(c.state, 'connecting');
      assert.equal(c.code, 428, 'a dropped TCP connection closes with 428 (connection closed)');
      assert.equal(c.reason?.code, 'connection_lost', 'the structured close reason is kept');
      assert.ok(c.reconnectMs !== null && c.reconnectMs > 0, `reconnected after ${c.reconnectMs} ms`);
    }
    assert.deepEqual(h.dropsPerDay.reduce((n, d) => n + d.count, 0), 3);
    assert.equal(h.reconnect.count, 3);
    assert.ok(h.reconnect.p50Ms! <= h.reconnect.p95Ms!);
    // Bands alternate connecting / open: pairing, then three drops and reconnects.
    assert.deepEqual(h.bands.map((b) => b.state), ['connecting', 'open', 'connecting', 'open', 'connecting', 'open', 'connecting', 'open']);

    const expected = uptimeFromEvents(rec.events, phone.id, now);
    assert.ok(expected > 0.05 && expected < 0.95, `a test that can fail: expected uptime ${expected}`);
    assert.ok(Math.abs(h.uptime['24h']! - expected) < 0.01, `uptime ${h.uptime['24h']} vs ${expected} from the engine's events`);
    assert.equal(h.uptime['7d'], h.uptime['24h']);
    const ts = h.timeInState;
    assert.ok(Math.abs(ts.open / (ts.open + ts.connecting + ts.closed) - h.uptime['24h']!) < 0.005);

    // An operator's close is not a drop, and its time does not count against the uptime.
    await manager.forceCloseSession(phone.id, 'Closed by a test');
    await manager.settled();
    const later = Date.now() + 60_000; // a minute of being stopped
    const h2 = await readPhoneHistory(tdb.db, phone.id, startedAt - 1000, later, later);
    assert.equal(h2.drops, 3);
    assert.equal(h2.bands.at(-1)?.state, 'stopped');
    assert.ok(h2.timeInState.stopped >= 60_000);
    // The engine's events up to the close (the phone stayed open a little longer than at the first
    // read, longer on a busy machine), the stopped minute left out: if it counted as downtime, the
    // uptime would fall far below this (a minute against a few seconds of history).
    const expectedAtClose = uptimeFromEvents(rec.events, phone.id, later);
    assert.ok(Math.abs(h2.uptime['24h']! - expectedAtClose) < 0.01, `stopped time is not downtime: ${h2.uptime['24h']} vs ${expectedAtClose} from the engine's events`);

    // The fleet summary sees it below a 99.5 % objective, with its drops.
    const summary = await readHealthSummary(tdb.db, 0.995, later);
    assert.deepEqual(summary.belowObjective.map((p) => [p.phoneId, p.drops]), [[phone.id, 3]]);
    assert.equal(summary.dropsPerHour.reduce((n, d) => n + d.count, 0), 3);
    // Stored compactly: one row per stretch (pairing, open, 3 × (drop, reopen), stopped), not per event.
    assert.equal(await tdb.db.phoneStateInterval.count({ where: { phoneId: phone.id } }), 9);
  });
}
