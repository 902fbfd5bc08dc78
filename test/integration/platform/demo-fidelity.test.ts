// Issue 27.12: after the demo restarts, only linked phones come back. A phone logged out and then
// left with a pairing code nobody typed (Baileys has already written me = NUMBER@s.whatsapp.net,
// device 0) used to be "reused" and logged in by the simulator; a phone logged out outright used
// to be paired again by the demo on its own. The demo's simulator keeps a registry of linked
// devices in the demo's data folder, and the demo's reuse logic checks what the credentials are.
// Runs the demo's own start-up steps (scripts/demo.ts) on SQLite, with the real Baileys client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startSimulator, type Simulator } from '../../../simulator';
import { linkedDevice, pairMissing, simulatorRegistryFile } from '../../../scripts/demo';
import { SessionManager, settingsFromConfig } from '../../../lib/sessions/manager';
import { createLogger } from '../../../lib/logger';
import { getConfig } from '../../../lib/config';
import type { SessionState } from '../../../lib/sessions/types';
import { createTestDatabase } from '../../support/databases';
import { eventually, within } from '../../support/eventually';

const ENV = ['DATABASE_URL', 'NEXTAUTH_SECRET', 'WA_WEBSOCKET_URL', 'SIMULATOR_URL', 'SIM_REGISTRY_FILE', 'SESSIONS_AUTOSTART'] as const;

/** Resolves when the phone reaches `state` on this manager. */
function reaches(manager: SessionManager, phoneId: number, state: SessionState) {
  return within(`phone ${phoneId} ${state}`, new Promise<void>((resolve) => {
    const off = manager.subscribe((e) => {
      if (e.phoneId === phoneId && e.type === 'state' && e.state === state) {
        off();
        resolve();
      }
    });
  }));
}

test('demo restart: a logged-out phone, re-paired by a code nobody typed or not at all, does not come back connected', { timeout: 240_000 }, async (t) => {
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  const database = await createTestDatabase('sqlite');
  const registryFile = simulatorRegistryFile(database.url);
  let sim: Simulator = await startSimulator({ port: 0, registryFile });
  const managers: SessionManager[] = [];
  t.after(async () => {
    for (const m of managers) await m.shutdown().catch(() => {});
    await sim.close();
    fs.rmSync(registryFile, { force: true });
    await database.drop();
    for (const k of ENV) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  });
  const useSimulator = () => {
    process.env.WA_WEBSOCKET_URL = sim.url;
    process.env.SIMULATOR_URL = sim.controlUrl;
  };
  Object.assign(process.env, { DATABASE_URL: database.url, NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex') });
  useSimulator();
  const lines: string[] = [];
  t.mock.method(console, 'log', (...args: unknown[]) => void lines.push(args.join(' ')));
  const db = database.db;

  // First run: the five demo phones are paired the real way.
  await pairMissing(db, sim, { freshRegistry: true });
  assert.ok(lines.includes('Demo phones paired.'), lines.join('\n'));
  const phones = await db.organizationPhone.findMany({ include: { authCreds: true }, orderBy: { id: 'asc' } });
  assert.equal(phones.filter((p) => linkedDevice(p.authCreds?.data) !== null).length, 5);
  const [, byCode, loggedOut] = phones;

  // The operator logs two phones out in the console; pairs one again by number and never types the code.
  const first = new SessionManager(db, settingsFromConfig(getConfig()), createLogger({ level: 'silent' }));
  managers.push(first);
  for (const p of [byCode, loggedOut]) {
    const open = reaches(first, p.id, 'open');
    await first.start(p.id);
    await open;
    await first.logout(p.id);
  }
  const qr = reaches(first, byCode.id, 'qr');
  await first.start(byCode.id);
  await qr;
  assert.match((await first.requestPairingCode(byCode.id)) ?? '', /^[0-9A-Z]{4}-?[0-9A-Z]{4}$/);
  await first.shutdown();
  const codeCreds = await db.authCreds.findUnique({ where: { phoneId: byCode.id } });
  assert.equal(JSON.parse(codeCreds!.data).me?.id, `${byCode.phoneJid}`, 'Baileys wrote me (device 0) for the code');
  assert.equal(linkedDevice(codeCreds!.data), null);

  // The demo restarts: a new simulator process on the same registry, the demo's start-up, the console's boot.
  await sim.close();
  sim = await startSimulator({ port: 0, registryFile });
  useSimulator();
  lines.length = 0;
  await pairMissing(db, sim);
  assert.ok(lines.includes('Reusing 3 linked demo phones.'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('Not linked') && l.includes(`+${byCode.phoneJid.split('@')[0]}`) && l.includes(`+${loggedOut.phoneJid.split('@')[0]}`)), lines.join('\n'));
  assert.ok(!lines.some((l) => l.startsWith('Pairing')), 'nothing is paired behind the operator\'s back');

  const console2 = new SessionManager(db, settingsFromConfig(getConfig()), createLogger({ level: 'silent' }));
  managers.push(console2);
  const linked = phones.filter((p) => p !== byCode && p !== loggedOut);
  const opened = Promise.all(linked.map((p) => reaches(console2, p.id, 'open')));
  assert.equal(await console2.boot(), 3, 'the console starts the three linked phones only');
  await opened;
  // Started anyway (an operator pressing Start): the never-linked credentials are refused, as by WhatsApp.
  const refused = reaches(console2, byCode.id, 'logged_out');
  await console2.start(byCode.id);
  await refused;
  assert.ok(sim.events().some((e) => e.type === 'login-refused' && e.phoneJid === byCode.phoneJid && (e.detail as { device: number }).device === 0));
  // The stored status follows the event (the session store commits in groups).
  await eventually('both unlinked phones stored logged out', async () => {
    const rows = await db.organizationPhone.findMany({ where: { id: { in: [byCode.id, loggedOut.id] } } });
    return rows.every((p) => p.status === 'logged_out');
  });
  assert.deepEqual(sim.phones().filter((p) => p.connections > 0).map((p) => p.phoneJid).sort(), linked.map((p) => p.phoneJid).sort());
});
