// The WhatsApp Web version fetched (WA_VERSION_URL, lib/sessions/wa-version.ts) against the
// simulator's version document: the fetched version is announced, and when WhatsApp refuses it
// (a 405 at login) the next socket fetches the new one and logs in. Real Baileys, real SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairByQr, startEngineHarness } from '../../support/harness';
import { WaVersionSource } from '../../../lib/sessions/wa-version';
import { ENGINE_NAMES } from '../../../lib/sessions/engines/types';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

const OLD = 1031000001;
const NEW = 1031000002;

for (const engine of ENGINE_NAMES) {
  test(`the WhatsApp Web version is fetched, and fetched again after a 405 (${engine})`, async (t) => {
    let fetches = 0;
    const harness = await startEngineHarness(t, {
      simulator: { waVersion: { revision: OLD, minRevision: null } },
      settings: (sim) => ({
        waVersionSource: new WaVersionSource({
          url: `${sim.controlUrl}/wa-version/sw.js`,
          ttlMs: 3_600_000,
          timeoutMs: 5000,
          fetchText: async (url, signal) => {
            fetches++;
            const res = await fetch(url, { signal });
            return res.text();
          },
        }),
      }),
    });
    const { sim, manager, rec } = harness;

    const jid = `770750${engine === 'baileys-6' ? 6 : 7}000001@s.whatsapp.net`;
    const phone = await pairByQr(harness, jid, 'Version org', engine);
    assert.equal(manager.snapshot(phone.id)?.waVersion, `2.3000.${OLD}`, 'the fetched version, not the bundled one');
    const fetchesBefore = fetches;
    assert.ok(fetchesBefore >= 1);

    // WhatsApp moves on: the old version is refused at login; the cached one (TTL an hour) is stale.
    sim.setWaVersion({ revision: NEW, minRevision: NEW });
    const mark = rec.mark();
    await sim.inject(jid, { type: 'drop' });
    // The close is a reconnect whose last cause is the 405 (close-policy.ts: version_outdated reconnects with backoff).
    const lastCause = (e: SessionEngineEvent) =>
      e.type === 'state' && e.closeReason?.code === 'reconnecting' ? (e.closeReason.params.last as { code: string; params: { version?: string } }) : undefined;
    const refused = await rec.waitFor((e) => e.phoneId === phone.id && lastCause(e)?.code === 'version_outdated', 60_000, mark);
    assert.equal(lastCause(refused)?.params.version, `2.3000.${OLD}`, 'the 405 names the version that was sent');
    await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 60_000, mark);
    assert.equal(manager.snapshot(phone.id)?.waVersion, `2.3000.${NEW}`);
    assert.ok(fetches > fetchesBefore, 'fetched again after the 405, within the TTL');
    assert.ok(sim.events().some((e) => e.type === 'version-refused' && (e.detail as { version: string }).version === `2.3000.${OLD}`));
  });
}
