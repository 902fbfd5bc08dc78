// Issue 27.12: with a registry file (the demo's), the simulator keeps its linked devices across
// restarts and, like WhatsApp, lets only them log in: a device logged out by the phone or by its
// own client, and credentials that were never linked (a pairing code asked for, never typed:
// device 0), are refused with 401 after a restart; a linked device logs in again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../index';
import { connect, pairPhone } from './helpers';
import { DEFAULT_DEADLINE_MS, eventually } from '../../test/support/eventually';

test('a registry keeps linked devices across restarts; only they log in', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-registry-'));
  const registryFile = path.join(dir, 'devices.json');
  let sim: Simulator = await startSimulator({ port: 0, registryFile });
  t.after(async () => {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const kept = await pairPhone(sim, '77052220001@s.whatsapp.net');
  const removedByPhone = await pairPhone(sim, '77052220002@s.whatsapp.net');
  const loggedOutItself = await pairPhone(sim, '77052220003@s.whatsapp.net');
  // A pairing code asked for and never typed: Baileys already wrote me = NUMBER@s.whatsapp.net.
  const neverLinked = connect(sim.url);
  await neverLinked.next((u) => !!u.qr);
  await neverLinked.sock.requestPairingCode('77052220004');
  assert.equal(neverLinked.auth.creds.me?.id, '77052220004@s.whatsapp.net');
  neverLinked.sock.end(undefined);
  await neverLinked.closed;

  await sim.inject('77052220002', { type: 'logged-out' });
  assert.equal((await removedByPhone.closed).statusCode, 401);
  await loggedOutItself.sock.logout();
  await eventually('the client logout at the simulator', () => sim.events().some((e) => e.type === 'logout' && e.phoneJid === '77052220003@s.whatsapp.net'), DEFAULT_DEADLINE_MS, 20);
  kept.sock.end(undefined);
  await kept.closed;
  assert.equal(fs.statSync(registryFile).mode & 0o777, 0o600, 'the registry is the owner\'s only');

  await sim.close();
  sim = await startSimulator({ port: 0, registryFile });
  const again = connect(sim.url, kept.auth);
  assert.equal((await again.next((u) => u.connection === 'open' || !!u.qr)).connection, 'open', 'a linked device logs in after the restart, without a QR');
  again.sock.end(undefined);
  await again.closed;
  for (const [client, why] of [[removedByPhone, 'logged out by the phone'], [loggedOutItself, 'logged out by its client'], [neverLinked, 'never linked (device 0)']] as const) {
    // The client that logged itself out cleared nothing here: in-memory creds still name its device.
    const retry = connect(sim.url, client.auth);
    assert.equal((await retry.closed).statusCode, 401, `${why}: refused`);
  }
  const refused = sim.events().filter((e) => e.type === 'login-refused').map((e) => (e.detail as { reason: string }).reason);
  assert.deepEqual(refused.sort(), ['logged out', 'logged out', 'not linked']);
  assert.deepEqual(sim.phones().filter((p) => p.paired).map((p) => p.phoneJid), ['77052220001@s.whatsapp.net']);
});
