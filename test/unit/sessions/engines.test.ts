// The engine modules' pure parts: close reasons per engine, a sender's two addresses, the
// bundled versions, and the simulator-trust guard (Baileys 7 never trusts the test root for a
// real server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Curve, DEFAULT_CONNECTION_CONFIG, proto } from '@whiskeysockets/baileys';
import { baileys6 } from '../../../lib/sessions/engines/baileys6';
import { baileys7, loadBaileys7 } from '../../../lib/sessions/engines/baileys7';
import { engineFor } from '../../../lib/sessions/engines';
import { isLoopbackWebSocketUrl, SIMULATOR_ROOT_PUBLIC_KEY_HEX, trustSimulatorRoot } from '../../../lib/sessions/engines/simulator-trust';
import { certChain, SIMULATOR_ROOT } from '../../../simulator/trust';
import { RepairGuard } from '../../../lib/sessions/repair-guard';
import { decideAfterClose } from '../../../lib/sessions/close-policy';

const V = [2, 3000, 1] as [number, number, number];

test('close reasons: the same catalogue on both engines; 405 names the version sent; 7 reads a restriction from its text', () => {
  for (const engine of [baileys6, baileys7]) {
    assert.equal(engine.closeReason(401, 'Stream Errored (conflict)', V).code, 'logged_out');
    assert.equal(engine.closeReason(440, 'x', V).code, 'replaced');
    for (const ban of [402, 403, 406]) assert.equal(engine.closeReason(ban, 'x', V).code, 'banned');
    assert.equal(engine.closeReason(463, 'x', V).code, 'restricted');
    assert.equal(engine.closeReason(515, 'x', V).code, 'restart_required');
    assert.equal(engine.closeReason(428, 'x', V).code, 'connection_lost');
    assert.equal(engine.closeReason(500, 'x', V).code, 'bad_session');
    assert.deepEqual(engine.closeReason(405, 'Connection Failure', V), { code: 'version_outdated', params: { status: 405, detail: 'Connection Failure', version: '2.3000.1' } });
  }
  assert.equal(baileys7.closeReason(499, 'Your account has been restricted', V).code, 'restricted');
  assert.equal(baileys6.closeReason(499, 'Your account has been restricted', V).code, 'unknown');
});

test('banned and restricted never reconnect; a lost connection does', () => {
  const settings = { reconnectBaseMs: 100, reconnectMaxMs: 1000, reconnectMaxAttempts: 5 };
  for (const engine of [baileys6, baileys7]) {
    for (const status of [402, 403, 406, 463]) {
      const d = decideAfterClose({ code: status, reason: engine.closeReason(status, 'x', V), state: 'open', attempts: 0 }, settings);
      assert.deepEqual(d.action === 'close' && [d.action, d.reason.code], ['close', status === 463 ? 'restricted' : 'banned'], `${engine.name} status ${status}`);
    }
    assert.equal(decideAfterClose({ code: 428, reason: engine.closeReason(428, 'x', V), state: 'open', attempts: 0 }, settings).action, 'reconnect');
  }
});

test("a sender's addresses: 7 from the key's …Alt fields, 6.7 from sender_pn", () => {
  assert.deepEqual(baileys7.senderAddresses({ remoteJid: '111@lid', remoteJidAlt: '15550001111@s.whatsapp.net' }), { sender: '111@lid', pn: '15550001111@s.whatsapp.net', lid: '111@lid' });
  assert.deepEqual(baileys7.senderAddresses({ remoteJid: 'g@g.us', participant: '15550001111@s.whatsapp.net', participantAlt: '111@lid' }), { sender: '15550001111@s.whatsapp.net', pn: '15550001111@s.whatsapp.net', lid: '111@lid' });
  assert.deepEqual(baileys6.senderAddresses({ remoteJid: '111@lid', senderPn: '15550001111@s.whatsapp.net' }), { sender: '111@lid', pn: '15550001111@s.whatsapp.net', lid: '111@lid' });
  assert.deepEqual(baileys6.senderAddresses({ remoteJid: '15550001111@s.whatsapp.net' }), { sender: '15550001111@s.whatsapp.net', pn: '15550001111@s.whatsapp.net', lid: null });
});

test('engines by name: unknown or missing → the default', () => {
  assert.equal(engineFor('baileys-7').name, 'baileys-7');
  assert.equal(engineFor(null).name, 'baileys-6');
  assert.equal(engineFor('nope', 'baileys-7').name, 'baileys-7');
});

test("bundled versions are the packages' own", async () => {
  assert.deepEqual(baileys6.bundledVersion, DEFAULT_CONNECTION_CONFIG.version);
  const b7 = await loadBaileys7();
  assert.deepEqual(baileys7.bundledVersion, b7.DEFAULT_CONNECTION_CONFIG.version);
});

test("the simulator's Noise root: the console's pinned key is the simulator's; refused for anything but a loopback ws:// URL", () => {
  assert.equal(Buffer.from(SIMULATOR_ROOT.public).toString('hex'), SIMULATOR_ROOT_PUBLIC_KEY_HEX);
  for (const url of ['ws://127.0.0.1:3001/ws/chat', 'ws://localhost:1/x', 'ws://[::1]:2/']) assert.equal(isLoopbackWebSocketUrl(url), true, url);
  for (const url of ['wss://web.whatsapp.com/ws/chat', 'ws://10.0.0.1/ws', 'wss://127.0.0.1/ws', 'ws://127.0.0.1.evil.com/']) assert.equal(isLoopbackWebSocketUrl(url), false, url);
  const details = { PUBLIC_KEY: new Uint8Array(32), SERIAL: 0 };
  assert.throws(() => trustSimulatorRoot(details, 'wss://web.whatsapp.com/ws/chat'), /refusing/);
  assert.deepEqual(details.PUBLIC_KEY, new Uint8Array(32), 'unchanged after a refusal');
  trustSimulatorRoot(details, 'ws://127.0.0.1:3001/ws/chat');
  assert.equal(Buffer.from(details.PUBLIC_KEY).toString('hex'), SIMULATOR_ROOT_PUBLIC_KEY_HEX);
});

test("the simulator's Noise chain: signed once per server key (not per login), and it verifies against the test root", () => {
  const serverStatic = Curve.generateKeyPair();
  const first = certChain(serverStatic);
  // Two handshakes with the same key get the same signed bytes: no signing per login.
  assert.equal(certChain(serverStatic), first);
  const other = certChain(Curve.generateKeyPair());
  assert.notDeepEqual(Buffer.from(other), Buffer.from(first));
  const { leaf, intermediate } = proto.CertChain.decode(first);
  const inter = proto.CertChain.NoiseCertificate.Details.decode(intermediate!.details!);
  const leafDetails = proto.CertChain.NoiseCertificate.Details.decode(leaf!.details!);
  assert.ok(Curve.verify(SIMULATOR_ROOT.public, intermediate!.details!, intermediate!.signature!));
  assert.ok(Curve.verify(inter.key!, leaf!.details!, leaf!.signature!));
  assert.deepEqual(Buffer.from(leafDetails.key!), Buffer.from(serverStatic.public));
});

test('the storm guard: N repairs per sender per minute, the rest skipped; memory bounded by senders', () => {
  let now = 0;
  const guard = new RepairGuard(3, 100, () => now);
  const allowed = Array.from({ length: 10_000 }, () => guard.allow('a@s.whatsapp.net')).filter(Boolean).length;
  assert.equal(allowed, 3);
  assert.equal(guard.suppressed, 9_997);
  now += 60_000;
  assert.equal(guard.allow('a@s.whatsapp.net'), true, 'a new minute, a new allowance');
  for (let i = 0; i < 1000; i++) guard.allow(`${i}@s.whatsapp.net`);
  assert.ok(guard.size <= 100);
});
