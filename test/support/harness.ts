// The usual integration set-up for engine tests: a simulator, a fresh database, a real session
// manager wired to them and an event recorder, all torn down (in that order) after the test.
import type { TestContext } from 'node:test';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator';
import { SessionManager } from '../../lib/sessions/manager';
import type { EngineSettings } from '../../lib/sessions/session';
import { createTestDatabase, type TestDatabase } from './databases';
import { addPhone, eventRecorder, testLogger, testSettings } from './engine';
import type { EngineName } from '../../lib/sessions/engines/types';
import type { DbProvider } from '../../lib/db/client';

export async function startEngineHarness(
  t: TestContext,
  opts: {
    provider?: DbProvider;
    /** engine settings, or a function of the simulator for those that point at it */
    settings?: Partial<EngineSettings> | ((sim: Simulator) => Partial<EngineSettings>);
    simulator?: Omit<SimulatorOptions, 'port'>;
  } = {},
) {
  const sim = await startSimulator({ ...opts.simulator, port: 0 });
  const tdb: TestDatabase = await createTestDatabase(opts.provider ?? 'sqlite');
  const settings = typeof opts.settings === 'function' ? opts.settings(sim) : opts.settings;
  const manager = new SessionManager(tdb.db, testSettings(sim.url, settings), testLogger());
  const rec = eventRecorder(manager);
  t.after(async () => {
    rec.unsubscribe();
    await manager.shutdown();
    await sim.close();
    await tdb.drop();
  });
  return { sim, tdb, manager, rec };
}

/** Adds a phone, starts it, scans its first QR on the simulator and waits until it is open. */
export async function pairByQr(h: Pick<Harness, 'sim' | 'tdb' | 'manager' | 'rec'>, phoneJid: string, organization: string, engine?: EngineName) {
  const phone = await addPhone(h.tdb.db, phoneJid, organization, engine);
  const mark = h.rec.mark();
  await h.manager.startBaileys(phone.organizationId, phone.id, phoneJid);
  const qr = await h.rec.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id, 60_000, mark);
  await h.sim.scan(phoneJid, (qr as { qr: string }).qr);
  await h.rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 60_000, mark);
  return phone;
}

export type Harness = Awaited<ReturnType<typeof startEngineHarness>>;
