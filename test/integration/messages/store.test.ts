// The message statements on SQLite and PostgreSQL: forward-only statuses (a later one records the
// earlier ones it implies), inbound stored once per id, retention, and a stale owner's message
// writes refused by the database (fencing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone } from '../../support/engine';
import { SqlSessionStore, StaleOwnerError } from '../../../lib/sessions/store';
import { FleetSql } from '../../../lib/fleet/sql';
import { MessageSql } from '../../../lib/messages/sql';
import { DEFAULT_MESSAGE_SETTINGS, MessageEngine, type MessageEngineDeps } from '../../../lib/messages/engine';

for (const provider of testProviders()) {
  test(`message statements on ${provider}: forward-only statuses, inbound once, fenced`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const phone = await addPhone(t.db, '77992000101@s.whatsapp.net');
      await t.db.organizationPhone.update({ where: { id: phone.id }, data: { status: 'open' } });
      const fleet = new FleetSql(provider);
      const q = (s: { sql: string; params: unknown[] }) => t.db.$queryRawUnsafe(s.sql, ...s.params);
      await q(fleet.renew('node_a', 60_000, 100));
      await q(fleet.claim('node_a', 10));
      const store = new SqlSessionStore(t.db, provider);
      store.setFence(phone.id, { nodeId: 'node_a', epoch: 1 });
      const sql = new MessageSql(provider);
      await t.db.message.create({ data: { phoneId: phone.id, messageId: 'OUT1', direction: 'out', chatJid: '15550001111@s.whatsapp.net', kind: 'text', body: 'hi', status: 'queued' } });

      assert.deepEqual(await store.writeStatements(phone.id, [sql.handOver(phone.id, 'OUT1', 1)]), [1]);
      // A delivery receipt before the server's ack: the ack is implied and recorded, in one transaction.
      const delivered = sql.advance(phone.id, 'OUT1', 'delivered', 1);
      assert.deepEqual(delivered.steps, ['sent', 'delivered']);
      assert.deepEqual(await store.writeStatements(phone.id, delivered.statements), [1, 1]);
      const late = sql.advance(phone.id, 'OUT1', 'sent', 1);
      assert.deepEqual(await store.writeStatements(phone.id, late.statements), [0], 'a late ack changes nothing');
      assert.deepEqual(await store.writeStatements(phone.id, [sql.fail(phone.id, 'OUT1', 'timeout', 1)]), [0], 'delivered is never failed');
      assert.deepEqual(await store.writeStatements(phone.id, sql.advance(phone.id, 'OUT1', 'read', 1).statements), [0, 0, 1], 'only the step not reached yet');
      const row = await t.db.message.findUniqueOrThrow({ where: { phoneId_messageId: { phoneId: phone.id, messageId: 'OUT1' } } });
      assert.deepEqual([row.status, row.attempts, Number(row.ownerEpoch), !!row.sentAt, !!row.ackedAt, !!row.deliveredAt, !!row.readAt], ['read', 1, 1, true, true, true, true]);

      const inbound = { phoneId: phone.id, messageId: 'IN1', chatJid: '15550001111@s.whatsapp.net', senderJid: '15550001111@s.whatsapp.net', kind: 'text' as const, body: 'hello', media: null, at: new Date() };
      assert.deepEqual(await store.writeStatements(phone.id, [sql.inbound(inbound, 1)]), [1]);
      assert.deepEqual(await store.writeStatements(phone.id, [sql.inbound(inbound, 1)]), [0], 'the same id again is stored once');

      // Retention: content older than MESSAGE_RETENTION_DAYS goes; ids, statuses and times stay.
      const engine = new MessageEngine({ db: t.db, store, settings: { ...DEFAULT_MESSAGE_SETTINGS, retentionMs: 86_400_000 } } as unknown as MessageEngineDeps);
      const old = new Date(Date.now() - 2 * 86_400_000);
      await t.db.message.update({ where: { phoneId_messageId: { phoneId: phone.id, messageId: 'IN1' } }, data: { createdAt: old, media: '{}' } });
      await t.db.message.create({ data: { phoneId: phone.id, messageId: 'OUT2', direction: 'out', chatJid: '15550001111@s.whatsapp.net', kind: 'text', body: 'later', status: 'queued', createdAt: old } });
      // … and the webhook records of received messages lose their content too (a pending delivery keeps it).
      const payload = (id: string) => JSON.stringify({ type: 'message.received', message: { id, kind: 'text', text: `body of ${id}` } });
      await t.db.webhookOutbox.createMany({
        data: [
          { messageId: 'w1', event: 'message.received', url: 'http://127.0.0.1:9/h', payload: payload('IN1'), maxAttempts: 3, status: 'delivered', createdAt: old },
          { messageId: 'w2', event: 'message.received', url: 'http://127.0.0.1:9/h', payload: payload('IN3'), maxAttempts: 3, status: 'pending', createdAt: old },
        ],
      });
      await t.db.webhookDelivery.create({ data: { event: 'message.received', url: 'http://127.0.0.1:9/h', payload: payload('IN1'), attempt: 1, ok: true, durationMs: 1, createdAt: old } });
      assert.equal(await engine.applyRetention(), 1, 'only the old message that is no longer queued');
      const outbox = await t.db.webhookOutbox.findMany({ orderBy: { id: 'asc' }, select: { payload: true } });
      assert.deepEqual(outbox.map((r) => JSON.parse(r.payload).message.text), [undefined, 'body of IN3']);
      assert.equal(JSON.parse((await t.db.webhookDelivery.findFirstOrThrow()).payload).message.text, undefined);
      assert.equal(JSON.parse((await t.db.webhookDelivery.findFirstOrThrow()).payload).message.id, 'IN1', 'the record stays');
      const kept = await t.db.message.findMany({ where: { phoneId: phone.id }, orderBy: { seq: 'asc' } });
      assert.deepEqual(kept.map((m) => [m.messageId, m.status, m.body, m.media]), [['OUT1', 'read', 'hi', null], ['IN1', 'received', null, null], ['OUT2', 'queued', 'later', null]], 'a queued message keeps what it will send');

      // Another node takes the phone: this node's message writes are refused.
      await t.db.$executeRawUnsafe(`UPDATE "PhoneOwner" SET "nodeId" = 'node_b', "epoch" = "epoch" + 1 WHERE "phoneId" = ${phone.id}`);
      await assert.rejects(store.writeStatements(phone.id, [sql.inbound({ ...inbound, messageId: 'IN2' }, 1)]), StaleOwnerError);
      assert.equal(await t.db.message.count({ where: { messageId: 'IN2' } }), 0, 'no stale write landed');
    } finally {
      await t.drop();
    }
  });
}
