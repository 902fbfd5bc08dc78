// Pairs many phones through a session manager and the simulator, the real way (QR → scan).
import type { Simulator } from '../../simulator';
import { SessionManager } from '../../lib/sessions/manager';
import type { Db } from '../../lib/db/client';
import type { EngineName } from '../../lib/sessions/engines/types';
import { addPhone, testLogger, testSettings } from './engine';

/** `engine`: the phones' engine (the density benchmark names it); unset, addPhone's default (TEST_ENGINE). */
export async function pairPhones(db: Db, manager: SessionManager, sim: Simulator, jids: string[], concurrency = 25, engine?: EngineName) {
  const phones = [];
  for (let i = 0; i < jids.length; i += concurrency) {
    const batch = await Promise.all(
      jids.slice(i, i + concurrency).map(async (jid) => {
        const phone = await addPhone(db, jid, undefined, engine);
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`pairing ${jid} timed out`)), 60_000);
          const off = manager.subscribe((e) => {
            if (e.phoneId !== phone.id) return;
            if (e.type === 'qr') void sim.scan(jid, e.qr).catch(reject);
            if (e.type === 'state' && e.state === 'open') {
              clearTimeout(timer);
              off();
              resolve();
            }
          });
          void manager.startBaileys(phone.organizationId, phone.id, jid).catch(reject);
        });
        return phone;
      }),
    );
    phones.push(...batch);
  }
  return phones;
}

/**
 * Pairs the phones with a session manager of the caller's own, then closes it without logging out:
 * the phones stay `open` in the database with their credentials, for console processes or fleet
 * nodes to start (the fleet tests and bench/fleet.ts).
 */
export async function pairForNodes(db: Db, sim: Simulator, jids: string[], concurrency = 25) {
  const pairing = new SessionManager(db, testSettings(sim.url), testLogger());
  try {
    return await pairPhones(db, pairing, sim, jids, concurrency);
  } finally {
    await pairing.shutdown();
  }
}
