import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone } from '../../support/engine';
import { insertSessionEvent, upsertCreds, writePhoneState } from '../../../lib/sessions/hot-writes';

for (const provider of testProviders()) {
  test(`hot writes on ${provider}: raw statements that Prisma reads back exactly`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const phone = await addPhone(t.db, '77990000201@s.whatsapp.net');
      const connectedAt = new Date('2026-11-24T10:11:12.345Z');
      await writePhoneState(t.db, phone.id, { status: 'open', lastConnectedAt: connectedAt });
      let row = await t.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
      assert.equal(row.status, 'open');
      assert.equal(row.lastConnectedAt?.toISOString(), connectedAt.toISOString(), 'UTC, to the millisecond');
      assert.ok(row.updatedAt > phone.updatedAt, 'updatedAt moves (the session list cache depends on it)');
      await writePhoneState(t.db, phone.id, { status: 'closed', lastCloseReason: 'Bad MAC limit reached (3/3)' });
      row = await t.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
      assert.deepEqual([row.status, row.lastCloseReason, row.lastConnectedAt?.toISOString()], ['closed', 'Bad MAC limit reached (3/3)', connectedAt.toISOString()]);

      const before = Date.now();
      await insertSessionEvent(t.db, { phoneId: phone.id, type: 'decrypt:bad-mac', sender: '15550001111@s.whatsapp.net', count: 2, message: 'Bad MAC', detail: JSON.stringify({ max: 3 }) });
      await insertSessionEvent(t.db, { phoneId: phone.id, type: 'state:open', sender: null, count: null, message: null, detail: null });
      const events = await t.db.sessionEvent.findMany({ where: { phoneId: phone.id }, orderBy: { id: 'asc' } });
      assert.deepEqual(events.map((e) => [e.type, e.sender, e.count, e.message, e.detail]), [
        ['decrypt:bad-mac', '15550001111@s.whatsapp.net', 2, 'Bad MAC', '{"max":3}'],
        ['state:open', null, null, null, null],
      ]);
      assert.ok(events.every((e) => Math.abs(e.createdAt.getTime() - before) < 60_000), 'createdAt is now, in UTC');

      await upsertCreds(t.db, phone.id, '{"v":1}');
      await upsertCreds(t.db, phone.id, '{"v":2}');
      assert.equal((await t.db.authCreds.findUniqueOrThrow({ where: { phoneId: phone.id } })).data, '{"v":2}');
    } finally {
      await t.drop();
    }
  });
}
