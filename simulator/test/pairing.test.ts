import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../index';
import { getBinaryNodeChild, type BinaryNode } from '@whiskeysockets/baileys';
import { connect, trackUnhandled } from './helpers';
import { DEFAULT_DEADLINE_MS, eventually } from '../../test/support/eventually';

test('pairing by QR, then login with saved credentials, without a new QR', async (t) => {
  const unhandled = trackUnhandled();
  const sim: Simulator = await startSimulator({ port: 0 });
  t.after(async () => {
    await sim.close();
    unhandled.stop();
  });
  const phoneJid = '77051234567@s.whatsapp.net';
  const first = connect(sim.url);
  const pairSuccess: Record<string, string>[] = [];
  first.sock.ws.on('CB:iq', (node: BinaryNode) => {
    const success = getBinaryNodeChild(node, 'pair-success');
    const device = success && getBinaryNodeChild(success, 'device');
    if (device) pairSuccess.push(device.attrs);
  });
  const { qr } = await first.next((u) => !!u.qr);
  await sim.scan(phoneJid, qr!);
  assert.equal((await first.closed).statusCode, 515);
  // The LID comes with the pairing, beside the device's number (as WhatsApp sends it).
  assert.equal(pairSuccess.length, 1);
  assert.match(pairSuccess[0].jid, /^77051234567:(\d+)@s\.whatsapp\.net$/);
  assert.equal(pairSuccess[0].lid, pairSuccess[0].jid.replace('@s.whatsapp.net', '@lid'));
  const client = connect(sim.url, first.auth);
  await client.next((u) => u.connection === 'open');
  assert.match(client.auth.creds.me!.id, /^77051234567:\d+@s\.whatsapp\.net$/);
  // and at login (<success lid>; 6.7 puts it in creds.me with a creds.update)
  await eventually('creds.me.lid after login', () => (client.auth.creds.me as { lid?: string }).lid === '77051234567@lid');
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

test('pairing by code: the client asks for a code, the phone types it, the client logs in; a wrong code is refused', async (t) => {
  const unhandled = trackUnhandled();
  const sim: Simulator = await startSimulator({ port: 0 });
  t.after(async () => {
    await sim.close();
    unhandled.stop();
  });
  const phoneJid = '77051234599@s.whatsapp.net';
  const first = connect(sim.url);
  await first.next((u) => !!u.qr); // the socket is up and registering
  const code = await first.sock.requestPairingCode('77051234599');
  assert.match(code, /^[0-9A-Z]{8}$/);
  await eventually('the pairing code request at the simulator', () => sim.events().some((e) => e.type === 'pairing-code-requested'), DEFAULT_DEADLINE_MS, 20);

  const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
  await assert.rejects(sim.enterCode(phoneJid, wrong), /wrong pairing code/);
  assert.equal(sim.phones().find((p) => p.phoneJid === phoneJid)?.paired ?? false, false, 'a wrong code links nothing');
  await assert.rejects(sim.enterCode('77050000000@s.whatsapp.net', code), /no client is waiting/);

  const { deviceJid } = await sim.enterCode(phoneJid, `${code.slice(0, 4)}-${code.slice(4)}`); // as shown to people
  assert.match(deviceJid, /^77051234599:\d+@s\.whatsapp\.net$/);
  const closed = await first.closed;
  assert.equal(closed.statusCode, 515, 'restart required after pairing, as with a QR');
  const client = connect(sim.url, first.auth);
  const update = await client.next((u) => u.connection === 'open' || !!u.qr);
  assert.equal(update.connection, 'open');
  assert.equal(client.auth.creds.me?.id, deviceJid);
  client.sock.end(undefined);
  await client.closed;
  // The refused first attempt makes Baileys' companion_finish query fail inside Baileys itself.
  assert.ok(unhandled.seen.every((e) => String((e as Error)?.message ?? e).match(/not-authorized|bad-request/)), String(unhandled.seen));
});

