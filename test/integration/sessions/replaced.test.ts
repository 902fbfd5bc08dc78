// 440 "replaced": the simulator ends the older of two connections of one device, like WhatsApp.
// The console's policy: a replaced session closes (no reconnect, which would fight the other
// client), says why, and a restart takes the device back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferJSON } from '@whiskeysockets/baileys';
import { addPhone } from '../../support/engine';
import { startEngineHarness } from '../../support/harness';
import { loadDbAuthState } from '../../../lib/sessions/auth-state';
import { connect, newAuth } from '../../../simulator/test/helpers';

test('sqlite: a replaced session closes with the reason, does not reconnect, and restart takes it back', async (t) => {
  const { sim, tdb, manager, rec } = await startEngineHarness(t);
  const jid = '77073300001@s.whatsapp.net';
  const info = () => sim.phones().find((p) => p.phoneJid === jid);
  const phone = await addPhone(tdb.db, jid);
  let mark = rec.mark();
  await manager.startBaileys(phone.organizationId, phone.id, jid);
  const qr = await rec.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id, 20_000, mark);
  await sim.scan(jid, (qr as { qr: string }).qr);
  await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 20_000, mark);
  assert.equal(info()?.overlaps, 0, 'pairing and its 515 restart are no overlap');

  await t.test('an injected conflict (440) closes the session with its reason, no reconnect', async () => {
    mark = rec.mark();
    await sim.inject(jid, { type: 'conflict' });
    const closed = await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && (e.state === 'closed' || e.state === 'connecting'), 20_000, mark);
    assert.equal(closed.type === 'state' && closed.state, 'closed');
    assert.match((closed.type === 'state' && closed.reason) || '', /^Connection replaced by another client: .*\(440\)$/);
    assert.equal(rec.events.slice(mark).filter((e) => e.type === 'reconnect' && e.phoneId === phone.id).length, 0);
    await manager.settled();
    const row = await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
    assert.equal(row.status, 'closed');
    assert.match(row.lastCloseReason ?? '', /Connection replaced/);
  });

  await t.test('another client logging in as the same device replaces the console (one overlap); restart takes it back', async () => {
    mark = rec.mark();
    await manager.restartSession(phone.id);
    await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 20_000, mark);
    assert.equal(info()?.overlaps, 0, 'close then restart is no overlap');

    // A twin: the same stored credentials in another Baileys client.
    const stored = await loadDbAuthState(tdb.db, phone.id);
    const twinAuth = newAuth();
    twinAuth.creds = JSON.parse(JSON.stringify(stored.state.creds, BufferJSON.replacer), BufferJSON.reviver);
    mark = rec.mark();
    const twin = connect(sim.url, twinAuth);
    await twin.next((u) => u.connection === 'open', 20_000);
    const closed = await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && (e.state === 'closed' || e.state === 'connecting'), 20_000, mark);
    assert.equal(closed.type === 'state' && closed.state, 'closed', 'the console does not fight back');
    assert.match((closed.type === 'state' && closed.reason) || '', /Connection replaced by another client/);
    assert.equal(info()?.overlaps, 1);
    assert.equal(manager.getBaileysSock(phone.id), null);

    // An administrator takes the device back: now the twin is the one replaced.
    mark = rec.mark();
    await manager.restartSession(phone.id);
    await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 20_000, mark);
    assert.equal((await twin.closed).statusCode, 440);
    assert.equal(info()?.overlaps, 2);
    assert.equal(info()?.connections, 1);
  });
});
