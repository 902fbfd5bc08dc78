// The session engine with the real Baileys client against the simulator, on SQLite and PostgreSQL.
// The whole set runs on the default engine (baileys-6, Baileys 6.7.24; baileys-7 under the engine
// matrix, TEST_ENGINE=baileys-7); pairing and the seed's Bad MAC / Bad Decrypt handling run on the
// other engine too, and what only 7 has runs on 7 (its LID and key types, a process restart
// without re-pairing, a ban that stays closed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testProviders } from '../../support/databases';
import { addPhone, eventRecorder, testLogger, testSettings } from '../../support/engine';
import { testEngine } from '../../support/test-engine';
import { startEngineHarness } from '../../support/harness';
import { eventually } from '../../support/eventually';
import { SessionManager } from '../../../lib/sessions/manager';
import { ENGINE_NAMES } from '../../../lib/sessions/engines/types';

const open = (phoneId: number) => (e: { type: string; phoneId: number; state?: string }) => e.type === 'state' && e.phoneId === phoneId && e.state === 'open';

for (const provider of testProviders()) for (const engine of ENGINE_NAMES) {
  // The whole set on the matrix's engine (TEST_ENGINE, else baileys-6), the core on the other.
  const everything = engine === (testEngine() ?? 'baileys-6');
  test(`${provider}: session engine against the simulator${everything ? '' : ` on ${engine}`}`, async (t) => {
    const { sim, tdb, manager, rec } = await startEngineHarness(t, { provider });
    let n = 0;
    const connectionsOf = (jid: string) => sim.phones().find((p) => p.phoneJid === jid)?.connections ?? 0;

    /** Adds a phone, starts it, scans its QR at the simulator, waits until open. */
    async function pairedPhone() {
      const jid = `7707${provider === 'sqlite' ? 1 : 2}00${String(++n).padStart(5, '0')}@s.whatsapp.net`;
      const phone = await addPhone(tdb.db, jid, 'Test org', engine);
      const mark = rec.mark();
      await manager.startBaileys(phone.organizationId, phone.id, jid);
      const qr = await rec.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id, 60_000, mark);
      await sim.scan(jid, (qr as { qr: string }).qr);
      await rec.waitFor(open(phone.id), 60_000, mark);
      return { phone, jid };
    }

    await t.test('pair → open → getBaileysSock; status persisted', async () => {
      const { phone, jid } = await pairedPhone();
      assert.ok(manager.getBaileysSock(phone.id));
      assert.equal(manager.snapshot(phone.id)?.state, 'open');
      assert.equal(connectionsOf(jid), 1);
      await manager.settled();
      const row = await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
      assert.equal(row.status, 'open');
      assert.ok(row.lastConnectedAt);
      assert.equal(manager.snapshot(phone.id)?.engine, engine);
      assert.equal(row.engine, engine);
      assert.ok(await tdb.db.authCreds.findUnique({ where: { phoneId: phone.id } }));
      assert.deepEqual(manager.getSessionErrorStats(phone.id), { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
    });

    await t.test('LID senders: a message from a LID decrypts; "session under the other address" is decrypted by 7, named and left alone by 6.7', async () => {
      const { phone, jid } = await pairedPhone();
      const received = (from: number) => rec.events.slice(from).filter((e) => e.type === 'message.received' && e.phoneId === phone.id);
      let mark = rec.mark();
      await sim.inject(jid, { type: 'message', addressing: 'lid', text: 'from a LID' });
      const fromLid = await rec.waitFor((e) => e.type === 'message.received' && e.phoneId === phone.id, 60_000, mark);
      // Named by its number (sender_pn), in the number's chat; the LID beside it (lib/messages/inbound.ts).
      assert.deepEqual(fromLid.type === 'message.received' && [fromLid.chatJid, fromLid.senderLid?.endsWith('@lid')], ['15550001111@s.whatsapp.net', true]);

      // A session under the number, a new one under the LID, then a message on the new one sent
      // under the number (Baileys #1769): nothing is corrupt.
      mark = rec.mark();
      await sim.inject(jid, { type: 'pn-lid-mismatch' });
      if (engine === 'baileys-7') {
        // 7 knows the mapping (sender_lid) and decrypts with the LID's session.
        await eventually('the third message to arrive', () => received(mark).length === 3);
        assert.equal(rec.events.slice(mark).filter((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id).length, 0);
      } else {
        // 6.7 decrypts with the number's old session and fails with a Bad MAC: classified, neither
        // counted nor repaired (the old code counted it and deleted the good session).
        const failure = await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id, 60_000, mark);
        assert.deepEqual(failure.type === 'decrypt-failure' && [failure.kind, failure.count, failure.deletedKeys], ['pn-lid-mismatch', null, 0]);
        assert.equal(manager.getSessionErrorStats(phone.id).badMacErrors, 0);
        await manager.settled();
        const sessions = await tdb.db.authKey.count({ where: { phoneId: phone.id, type: 'session' } });
        assert.equal(sessions, 2, 'both sessions kept (number and LID)');
      }
    });

    await t.test('Bad MAC: 2 faults (pkmsg, msg) → 2/3 healthy, keys deleted; 3rd → auto-close', async () => {
      const { phone, jid } = await pairedPhone();
      let mark = rec.mark();
      await sim.inject(jid, { type: 'bad-mac', via: 'pkmsg' });
      await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id && e.kind === 'bad-mac', 60_000, mark);
      mark = rec.mark();
      await sim.inject(jid, { type: 'bad-mac', via: 'msg' });
      const second = await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id && e.kind === 'bad-mac', 60_000, mark);
      assert.equal(second.type === 'decrypt-failure' && second.count, 2);
      assert.ok(second.type === 'decrypt-failure' && second.deletedKeys >= 1, 'the corrupted session of the sender was deleted');
      assert.equal(second.type === 'decrypt-failure' && second.sender, '15550001111@s.whatsapp.net');
      await manager.settled();
      const remaining = await tdb.db.authKey.count({ where: { phoneId: phone.id, type: 'session', keyId: { startsWith: '15550001111.' } } });
      assert.equal(remaining, 0);
      assert.deepEqual(manager.getSessionErrorStats(phone.id), { badMacErrors: 2, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
      assert.equal(manager.snapshot(phone.id)?.health, 'critical');

      mark = rec.mark();
      await sim.inject(jid, { type: 'bad-mac' });
      const closed = await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'closed', 60_000, mark);
      assert.equal(closed.type === 'state' && closed.reason, 'Bad MAC limit reached (3/3)');
      assert.equal(manager.getBaileysSock(phone.id), null);
      assert.deepEqual(manager.getSessionErrorStats(phone.id), { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
      await manager.settled();
      const row = await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
      assert.equal(row.status, 'closed');
      assert.equal(row.lastCloseReason, 'Bad MAC limit reached (3/3)');
      const events = await tdb.db.sessionEvent.findMany({ where: { phoneId: phone.id, type: 'decrypt:bad-mac' }, orderBy: { id: 'asc' } });
      assert.deepEqual(events.map((e) => [e.count, e.sender]), [[1, '15550001111@s.whatsapp.net'], [2, '15550001111@s.whatsapp.net'], [3, '15550001111@s.whatsapp.net']]);
      assert.equal(connectionsOf(jid), 0, 'no socket left at the simulator');
    });

    await t.test('5 Bad Decrypt → auto-close; no-session, version and message-absent are classified and not miscounted', async () => {
      const { phone, jid } = await pairedPhone();
      let mark = rec.mark();
      // The three kinds the simulator produces through Baileys' real decryption path (issue 23.1):
      // each is classified as its own kind and counts towards neither limit.
      for (const kind of ['no-session', 'version', 'message-absent'] as const) {
        await sim.inject(jid, { type: kind });
        await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id && e.kind === kind, 60_000, mark);
      }
      assert.deepEqual(
        rec.events.slice(mark).flatMap((e) => (e.type === 'decrypt-failure' && e.phoneId === phone.id ? [e.kind] : [])),
        ['no-session', 'version', 'message-absent'],
      );
      assert.equal(manager.getSessionErrorStats(phone.id).badDecryptErrors, 0);
      assert.equal(manager.getSessionErrorStats(phone.id).badMacErrors, 0);
      mark = rec.mark();
      await sim.inject(jid, { type: 'bad-decrypt', count: 5 });
      const closed = await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'closed', 30_000, mark);
      assert.equal(closed.type === 'state' && closed.reason, 'Bad Decrypt limit reached (5/5)');
      const counts = rec.events.slice(mark).filter((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id).map((e) => (e.type === 'decrypt-failure' ? e.count : null));
      assert.deepEqual(counts, [1, 2, 3, 4, 5]);
    });

    if (engine === 'baileys-7') {
      await t.test('baileys-7: its LID and key types stored; a process restart logs in without a QR; a ban closes for good', async () => {
        const { phone, jid } = await pairedPhone();
        const snap = manager.snapshot(phone.id)!;
        assert.match(snap.lid ?? '', /@lid$/, 'the LID WhatsApp announced at login');
        assert.equal(snap.waVersion, '2.3000.1043857760', "rc14's bundled version (nothing fetched)");
        // Baileys 7 writes its LID mapping and device list just after open.
        let types = new Set<string>();
        for (const deadline = Date.now() + 30_000; !types.has('lid-mapping') && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
          await manager.settled();
          types = new Set((await tdb.db.authKey.findMany({ where: { phoneId: phone.id }, select: { type: true } })).map((k) => k.type));
        }
        assert.ok(types.has('lid-mapping'), `7's key types stored: ${[...types].join(', ')}`);
        await manager.settled();
        assert.equal((await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } })).lid, snap.lid, 'the LID is stored');

        // Moved to baileys-6 and back: each logs in with the same credentials, no new pairing.
        for (const to of ['baileys-6', 'baileys-7'] as const) {
          const mark = rec.mark();
          await tdb.db.organizationPhone.update({ where: { id: phone.id }, data: { engine: to } });
          assert.equal(await manager.setEngine(phone.id, to), true, 'a running socket is restarted');
          const next = await rec.waitFor((e) => e.phoneId === phone.id && ((e.type === 'state' && e.state === 'open') || e.type === 'qr'), 60_000, mark);
          assert.equal(next.type, 'state', `${to}: logs in with the carried-over credentials, no QR`);
          assert.equal(manager.snapshot(phone.id)?.engine, to);
        }

        // The process stops (the stored status stays open) and a new one boots from the database.
        await manager.shutdown();
        // The new process pins the WhatsApp Web version it announces (WA_VERSION).
        const next = new SessionManager(tdb.db, testSettings(sim.url, { waVersion: [2, 3000, 1] }), testLogger());
        const rec2 = eventRecorder(next);
        try {
          assert.ok((await next.boot()) >= 1, 'the phones that were running start again');
          await rec2.waitFor(open(phone.id));
          assert.equal(rec2.events.filter((e) => e.type === 'qr').length, 0, 'no new pairing');
          assert.equal(next.snapshot(phone.id)?.engine, 'baileys-7');
          assert.equal(next.snapshot(phone.id)?.waVersion, '2.3000.1');

          // 405: the version refused is named; the phone reconnects.
          let mark = rec2.mark();
          await sim.inject(jid, { type: 'stream-error', code: 405 });
          const retry = await rec2.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'connecting' && !!e.closeReason, 60_000, mark);
          assert.deepEqual(retry.type === 'state' && retry.closeReason?.code === 'reconnecting' && retry.closeReason.params.last, { code: 'version_outdated', params: { status: 405, detail: 'Stream Errored (unknown)', version: '2.3000.1' } });
          await rec2.waitFor(open(phone.id), 60_000, mark);

          // 402, a temporary ban: closed with `banned`, and never reconnected.
          mark = rec2.mark();
          await sim.inject(jid, { type: 'stream-error', code: 402 });
          const closed = await rec2.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'closed', 60_000, mark);
          assert.equal(closed.type === 'state' && closed.closeReason?.code, 'banned');
          await next.settled();
          assert.equal(rec2.events.slice(mark).filter((e) => e.type === 'reconnect').length, 0, 'a banned phone does not reconnect by itself');
          assert.equal(next.snapshot(phone.id)?.lastClose?.code, 'banned');
          const row = await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
          assert.equal(row.status, 'closed');
          assert.equal(JSON.parse(row.lastClose ?? '{}').code, 'banned');
          assert.equal(connectionsOf(jid), 0);
        } finally {
          rec2.unsubscribe();
          await next.shutdown();
        }
      });
      return;
    }

    await t.test('forceCloseSession: no reconnect; restart → open again', async () => {
      const { phone, jid } = await pairedPhone();
      const canary = await pairedPhone();
      const res = await manager.forceCloseSession(phone.id, 'maintenance');
      assert.deepEqual(res, { alreadyClosed: false });
      assert.equal(connectionsOf(jid), 0);
      const mark = rec.mark();
      // No sleep: a reconnect of the closed phone would be scheduled at its close with the base
      // delay (attempt 1 waits exactly RECONNECT_BASE_MS). The canary is dropped after that close,
      // so its reconnect (same base delay) comes later: once the canary is open again, the closed
      // phone's reconnect would have shown.
      await sim.inject(canary.jid, { type: 'drop' });
      const canaryRetry = await rec.waitFor((e) => e.type === 'reconnect' && e.phoneId === canary.phone.id, 60_000, mark);
      assert.equal(canaryRetry.type === 'reconnect' && canaryRetry.attempt, 1);
      await rec.waitFor(open(canary.phone.id), 60_000, mark);
      assert.equal(rec.events.slice(mark).filter((e) => e.phoneId === phone.id).length, 0);
      assert.equal(connectionsOf(jid), 0);
      assert.deepEqual(await manager.forceCloseSession(phone.id), { alreadyClosed: true });

      const mark2 = rec.mark();
      await manager.restartSession(phone.id);
      await rec.waitFor(open(phone.id), 60_000, mark2);
      assert.equal(connectionsOf(jid), 1);
    });

    await t.test('20 concurrent restarts end with exactly one connection', async () => {
      const { phone, jid } = await pairedPhone();
      await Promise.all(Array.from({ length: 20 }, () => manager.restartSession(phone.id)));
      await rec.waitFor(() => manager.snapshot(phone.id)?.state === 'open', 60_000);
      await manager.settled();
      assert.equal(manager.snapshot(phone.id)?.state, 'open');
      assert.equal(connectionsOf(jid), 1);
    });

    await t.test('drop → reconnects with backoff; logged-out → no reconnect, auth cleared', async () => {
      const { phone, jid } = await pairedPhone();
      let mark = rec.mark();
      await sim.inject(jid, { type: 'drop' });
      const reconnect = await rec.waitFor((e) => e.type === 'reconnect' && e.phoneId === phone.id, 60_000, mark);
      // The first retry waits the base delay (RECONNECT_BASE_MS, 200 ms in these settings).
      assert.deepEqual(reconnect.type === 'reconnect' && [reconnect.attempt, reconnect.delayMs], [1, 200]);
      await rec.waitFor(open(phone.id), 60_000, mark);
      assert.equal(connectionsOf(jid), 1);

      mark = rec.mark();
      await sim.inject(jid, { type: 'logged-out' });
      await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'logged_out', 60_000, mark);
      await manager.settled();
      assert.equal(await tdb.db.authCreds.count({ where: { phoneId: phone.id } }), 0);
      assert.equal(await tdb.db.authKey.count({ where: { phoneId: phone.id } }), 0);
      assert.equal((await tdb.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } })).status, 'logged_out');
      assert.equal(rec.events.slice(mark).filter((e) => e.type === 'reconnect' && e.phoneId === phone.id).length, 0);
    });

    await t.test('a QR scanned by another number is refused', async () => {
      const jid = `7707900000${provider === 'sqlite' ? 1 : 2}@s.whatsapp.net`;
      const phone = await addPhone(tdb.db, jid);
      const mark = rec.mark();
      await manager.startBaileys(phone.organizationId, phone.id, jid);
      const qr = await rec.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id, 60_000, mark);
      await sim.scan('77079999999', (qr as { qr: string }).qr);
      const out = await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'logged_out', 60_000, mark);
      assert.match(out.type === 'state' ? out.reason ?? '' : '', /different number/);
    });
  });

  if (everything) test(`${provider}: reconnects back off exponentially with jitter, then give up`, async (t) => {
    // A simulator of its own: this test takes it away.
    const { sim, tdb, manager, rec } = await startEngineHarness(t, { provider, settings: { reconnectBaseMs: 100, reconnectMaxMs: 500, reconnectMaxAttempts: 5 } });
    const jid = `7707${provider === 'sqlite' ? 1 : 2}0099999@s.whatsapp.net`;
    const phone = await addPhone(tdb.db, jid);
    let mark = rec.mark();
    await manager.startBaileys(phone.organizationId, phone.id, jid);
    const qr = await rec.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id, 60_000, mark);
    await sim.scan(jid, (qr as { qr: string }).qr);
    await rec.waitFor(open(phone.id), 60_000, mark);
    mark = rec.mark();
    await sim.close(); // the service goes away: every reconnect attempt fails
    const closed = await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'closed', 60_000, mark);
    assert.match(closed.type === 'state' ? closed.reason ?? '' : '', /^Gave up after 5 reconnect attempts/);
    const reconnects = rec.events.slice(mark).filter((e) => e.type === 'reconnect' && e.phoneId === phone.id);
    assert.deepEqual(reconnects.map((e) => e.type === 'reconnect' && e.attempt), [1, 2, 3, 4, 5]);
    // Attempt n waits between the base and min(max, base · 2^(n-1)) milliseconds.
    const ceilings = [100, 200, 400, 500, 500];
    reconnects.forEach((e, i) => {
      const delay = e.type === 'reconnect' ? e.delayMs : -1;
      assert.ok(delay >= 100 && delay <= ceilings[i], `attempt ${i + 1} waited ${delay} ms, not within 100..${ceilings[i]}`);
    });
    // And it really waited: the next attempt starts no earlier than the announced delay.
    for (let i = 1; i < reconnects.length; i++) {
      const gap = Date.parse(reconnects[i].at) - Date.parse(reconnects[i - 1].at);
      const delay = reconnects[i - 1].type === 'reconnect' ? (reconnects[i - 1] as { delayMs: number }).delayMs : 0;
      assert.ok(gap >= delay - 1, `attempt ${i + 1} came ${gap} ms after attempt ${i}, before its ${delay} ms delay`);
    }
    assert.equal(manager.getBaileysSock(phone.id), null);
  });
}
