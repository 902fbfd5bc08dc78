import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../index';
import { connect, pairPhone, trackUnhandled } from './helpers';

test('pairing by QR, then login with saved credentials, without a new QR', async (t) => {
  const unhandled = trackUnhandled();
  const sim: Simulator = await startSimulator({ port: 0 });
  t.after(async () => {
    await sim.close();
    unhandled.stop();
  });
  const phoneJid = '77051234567@s.whatsapp.net';
  const client = await pairPhone(sim, phoneJid);
  assert.match(client.auth.creds.me!.id, /^77051234567:\d+@s\.whatsapp\.net$/);
  assert.equal(sim.phones().find((p) => p.phoneJid === phoneJid)?.connections, 1);
  assert.equal(sim.phones().find((p) => p.phoneJid === phoneJid)?.paired, true);

  client.sock.end(undefined);
  await client.closed;
  const again = connect(sim.url, client.auth);
  const update = await again.next((u) => u.connection === 'open' || !!u.qr);
  assert.equal(update.connection, 'open', 'logs in with saved creds, no QR');
  again.sock.end(undefined);
  await again.closed;
  assert.deepEqual(unhandled.seen, []);
});
