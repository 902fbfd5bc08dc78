// The usual integration set-up for engine tests: a simulator, a fresh database, a real session
// manager wired to them and an event recorder, all torn down (in that order) after the test.
import type { TestContext } from 'node:test';
import { startSimulator } from '../../simulator';
import { SessionManager } from '../../lib/sessions/manager';
import type { EngineSettings } from '../../lib/sessions/session';
import { createTestDatabase, type TestDatabase } from './databases';
import { eventRecorder, testLogger, testSettings } from './engine';
import type { DbProvider } from '../../lib/db/client';

export async function startEngineHarness(t: TestContext, opts: { provider?: DbProvider; settings?: Partial<EngineSettings> } = {}) {
  const sim = await startSimulator({ port: 0 });
  const tdb: TestDatabase = await createTestDatabase(opts.provider ?? 'sqlite');
  const manager = new SessionManager(tdb.db, testSettings(sim.url, opts.settings), testLogger());
  const rec = eventRecorder(manager);
  t.after(async () => {
    rec.unsubscribe();
    await manager.shutdown();
    await sim.close();
    await tdb.drop();
  });
  return { sim, tdb, manager, rec };
}
