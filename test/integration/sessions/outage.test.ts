// A database outage loses nothing the console wrote. A PostgreSQL of the test's own is stopped for
// 12 s while 10 phones receive messages and a fault (440, connection replaced) closes one of them,
// then started again: no event is lost or doubled, every phone's stored status equals its live
// state, and the sessions whose key writes failed closed themselves and came back on their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../simulator';
import { createDb } from '../../../lib/db/client';
import { migrateDeploy } from '../../../lib/db/migrate';
import { SessionManager } from '../../../lib/sessions/manager';
import { eventRecorder, testLogger, testSettings } from '../../support/engine';
import { pairPhones } from '../../support/pairing';
import { startOwnPostgres } from '../../support/own-postgres';
import { testProviders } from '../../support/databases';
import { within } from '../../support/eventually';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

const PHONES = 10;
const OUTAGE_MS = 12_000;
// Skipped only when TEST_DB leaves PostgreSQL out on purpose; missing server programs fail the
// test with the reason (startOwnPostgres → postgresBinDir), never a silent skip.
const wanted = testProviders().includes('postgresql');

/** What each engine event leaves in SessionEvent (state changes and decryption failures are stored, one row each). */
function storedForm(e: SessionEngineEvent): string | null {
  if (e.type === 'state') return `state:${e.state}|${e.reason ?? ''}`;
  if (e.type === 'decrypt-failure') return `decrypt:${e.kind}`;
  return null;
}

test('postgresql outage under traffic: nothing lost or doubled, stored status = live, sessions recover by themselves', { skip: !wanted && 'TEST_DB leaves out postgresql' }, async (t) => {
  const pgs = await startOwnPostgres();
  const url = await pgs.createDatabase('outage');
  await migrateDeploy(url);
  const db = createDb(url);
  const sim = await startSimulator({ port: 0 });
  const manager = new SessionManager(db, testSettings(sim.url), testLogger());
  const rec = eventRecorder(manager);
  t.after(async () => {
    rec.unsubscribe();
    await pgs.start().catch(() => {}); // already running unless the test failed mid-outage
    await within('shutdown', manager.shutdown(), 60_000).catch(() => {});
    await sim.close();
    await db.$disconnect();
    await pgs.destroy();
  });

  const jids = Array.from({ length: PHONES }, (_, i) => `770799${String(i).padStart(5, '0')}@s.whatsapp.net`);
  const phones = await pairPhones(db, manager, sim, jids, 5);
  // Some traffic while all is well: every phone has a session with the contact.
  await Promise.all(jids.map((jid) => sim.inject(jid, { type: 'message', count: 2 })));
  await within('settled before the outage', manager.settled(), 60_000);
  const mark = rec.mark();
  const lastIdBefore = (await db.sessionEvent.aggregate({ _max: { id: true } }))._max.id ?? 0;
  const [faulted, ...others] = phones;

  // The outage.
  await pgs.stop();
  const outageStart = Date.now();
  await sim.inject(faulted.phoneJid, { type: 'conflict' });
  await rec.waitFor((e) => e.type === 'state' && e.phoneId === faulted.id && e.state === 'closed', 30_000, mark);
  // Messages arrive: their key writes fail, so each session closes itself and waits for the database.
  await Promise.allSettled(others.map((p) => sim.inject(p.phoneJid, { type: 'message', count: 3 })));
  await Promise.all(
    others.map((p) =>
      rec.waitFor((e) => e.type === 'state' && e.phoneId === p.id && e.state === 'connecting' && /Database unreachable/.test(e.reason ?? ''), 60_000, mark),
    ),
  );
  const wait = OUTAGE_MS - (Date.now() - outageStart);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // the outage lasts its planned time
  const buffered = others.map((p) => manager.writeBacklog(p.id)!);
  assert.ok(buffered.every((b) => b.waiting > 0), `every phone has writes waiting for the database: ${JSON.stringify(buffered)}`);
  await pgs.start();
  const outageMs = Date.now() - outageStart;
  assert.ok(outageMs >= 10_000 && outageMs <= 40_000, `outage of ${outageMs} ms`);

  // Back: the sessions reconnect by themselves.
  const back = rec.mark();
  await Promise.all(others.map((p) => rec.waitFor((e) => e.type === 'state' && e.phoneId === p.id && e.state === 'open', 90_000, back)));
  // And they work: a message each, then everything settles.
  await Promise.all(others.map((p) => sim.inject(p.phoneJid, { type: 'message' })));
  await within('settled after the outage', manager.settled(), 90_000);

  for (const p of phones) {
    const row = await db.organizationPhone.findUniqueOrThrow({ where: { id: p.id } });
    const live = manager.snapshot(p.id)!;
    assert.equal(row.status, live.state, `phone ${p.id}: stored status equals the live state`);
    assert.equal(row.lastCloseReason, live.lastCloseReason, `phone ${p.id}: close reason`);
  }
  assert.equal(manager.snapshot(faulted.id)!.state, 'closed');
  assert.match(manager.snapshot(faulted.id)!.lastCloseReason ?? '', /replaced/);
  for (const p of others) assert.equal(manager.snapshot(p.id)!.state, 'open');

  // Every event of the window is stored once, in order.
  const rows = await db.sessionEvent.findMany({ where: { id: { gt: lastIdBefore } }, orderBy: { id: 'asc' } });
  assert.equal(new Set(rows.map((r) => r.uid)).size, rows.length, 'no event stored twice');
  for (const p of phones) {
    const expected = rec.events.slice(mark).filter((e) => e.phoneId === p.id).map(storedForm).filter((s) => s !== null);
    const stored = rows.filter((r) => r.phoneId === p.id).map((r) => (r.type.startsWith('state:') ? `${r.type}|${r.message ?? ''}` : r.type));
    assert.deepEqual(stored, expected, `phone ${p.id}: stored events equal the engine's`);
  }
  const duringOutage = rows.filter((r) => r.createdAt.getTime() >= outageStart && r.createdAt.getTime() <= outageStart + outageMs);
  assert.ok(duringOutage.length >= PHONES, `events that happened during the outage are stored (${duringOutage.length})`);
});
