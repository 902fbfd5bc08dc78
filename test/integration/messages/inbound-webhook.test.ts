// A received message and its `message.received` webhook row are written in ONE fenced transaction
// (issue 24.6, at least once across a crash): both commit or neither does. On SQLite and
// PostgreSQL, through the engine's real receive path (a socket's `messages.upsert`), the real
// webhook outbox's prepared rows and the real session store:
// - a new message: its row and exactly one pending outbox row (organization endpoint only), also
//   one delivered from WhatsApp's offline queue (Baileys' `append`);
// - the same id again: nothing more (no second row, no second webhook);
// - a failure after both inserts, before the commit (what a crash there is): neither row;
// - a stale owner (the phone moved to another node): neither row.
// The same holds for a sent message's status changes and their `message.status` rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone, TEST_OUTBOUND, testLogger } from '../../support/engine';
import { SqlSessionStore, type SessionStore, type Statement } from '../../../lib/sessions/store';
import { FleetSql } from '../../../lib/fleet/sql';
import { EventBus } from '../../../lib/sessions/events';
import { DEFAULT_MESSAGE_SETTINGS, MessageEngine } from '../../../lib/messages/engine';
import { WebhookNotifier } from '../../../lib/webhooks/outbox';

type Upsert = (arg: { messages: WAMessage[]; type: string }) => void;
type Receipts = (updates: { key: WAMessage['key']; update: { status: number } }[]) => void;

/** What the engine needs of a socket to hear received messages. */
function fakeSocket() {
  const listeners = new Map<string, (arg: never) => void>();
  const sock = { ws: { on() {} }, ev: { on: (event: string, listener: (arg: never) => void) => void listeners.set(event, listener) } };
  return {
    sock: sock as unknown as WASocket,
    receive: (messages: WAMessage[], type = 'notify') => (listeners.get('messages.upsert') as Upsert)({ messages, type }),
    /** a receipt of a message the phone sent (Baileys' status: 3 delivered, 4 read) */
    receipt: (id: string, status: number) => (listeners.get('messages.update') as Receipts)([{ key: { id, remoteJid: from, fromMe: true }, update: { status } }]),
  };
}

const from = '15550002222@s.whatsapp.net';
const incoming = (id: string, text: string): WAMessage => ({ key: { id, remoteJid: from, fromMe: false }, message: { conversation: text }, messageTimestamp: Math.floor(Date.now() / 1000) }) as WAMessage;

for (const provider of testProviders()) {
  test(`a received message, or a status change, and its webhook row commit together on ${provider} (and neither without the fence)`, async () => {
    const t = await createTestDatabase(provider);
    const webhooks = new WebhookNotifier({ outbound: TEST_OUTBOUND }, t.db, testLogger());
    // Not delivering: the rows stay pending for the test to read (a receiver is not the subject here).
    await webhooks.stop();
    try {
      const phone = await addPhone(t.db, '77992000201@s.whatsapp.net', 'Inbound webhook org');
      await t.db.organization.update({ where: { id: phone.organizationId }, data: { webhookUrl: 'http://127.0.0.1:9/hook' } });
      const fleet = new FleetSql(provider);
      const q = (s: Statement) => t.db.$queryRawUnsafe(s.sql, ...s.params);
      await q(fleet.renew('node_a', 60_000, 100));
      await t.db.organizationPhone.update({ where: { id: phone.id }, data: { status: 'open' } });
      await q(fleet.claim('node_a', 10));
      const owner = await t.db.phoneOwner.findUniqueOrThrow({ where: { phoneId: phone.id } });
      assert.equal(owner.nodeId, 'node_a');
      const real = new SqlSessionStore(t.db, provider);
      real.setFence(phone.id, { nodeId: 'node_a', epoch: Number(owner.epoch) });
      // A store that can fail a transaction after the caller's statements ran, before the commit.
      let crashBeforeCommit = false;
      const boom: Statement = { sql: 'INSERT INTO "NoSuchTable" ("x") VALUES (1)', params: [] };
      const store = Object.assign(Object.create(real) as SessionStore, {
        provider,
        writeStatements: (phoneId: number, statements: Statement[]) => real.writeStatements(phoneId, crashBeforeCommit ? [...statements, boom] : statements),
      });
      const engine = new MessageEngine({
        db: t.db,
        store,
        bus: new EventBus(() => {}),
        log: testLogger(),
        settings: DEFAULT_MESSAGE_SETTINGS,
        openSocket: () => null,
        openPhones: () => [],
        epochOf: () => Number(owner.epoch),
        phoneJidOf: () => phone.phoneJid,
      });
      engine.setNotifier({
        prepare: (event, payload, phoneId, when) => webhooks.prepare(event, payload, { phoneId, organizationOnly: true, when }),
        wake: () => webhooks.wake(),
      });
      const socket = fakeSocket();
      engine.attach(phone.id, socket.sock);
      const rows = async (messageId: string) => ({
        messages: await t.db.message.count({ where: { phoneId: phone.id, messageId } }),
        webhooks: (await t.db.webhookOutbox.findMany({ where: { event: 'message.received' } })).filter((r) => JSON.parse(r.payload).message.id === messageId),
      });

      socket.receive([incoming('IN_NEW', 'hello')]);
      await engine.idle();
      const stored = await rows('IN_NEW');
      assert.equal(stored.messages, 1, 'the message is stored');
      assert.equal(stored.webhooks.length, 1, 'with exactly one webhook row');
      const [hook] = stored.webhooks;
      assert.deepEqual([hook.status, hook.url, hook.organizationId, hook.attempts], ['pending', 'http://127.0.0.1:9/hook', phone.organizationId, 0]);
      assert.equal(JSON.parse(hook.payload).message.text, 'hello');
      assert.ok(hook.nextAttemptAt.getTime() <= Date.now() && hook.createdAt.getTime() > Date.now() - 60_000, 'due now, created now (dates read back by Prisma)');

      socket.receive([incoming('IN_NEW', 'hello')]);
      await engine.idle();
      const again = await rows('IN_NEW');
      assert.deepEqual([again.messages, again.webhooks.length], [1, 1], 'the same id again stores and queues nothing');

      // From WhatsApp's offline queue (sent while the phone ran nowhere): Baileys upserts it as
      // `append` (the stanza's `offline` attribute); stored and announced like a live one.
      socket.receive([incoming('IN_OFFLINE', 'sent while you were away')], 'append');
      await engine.idle();
      const offline = await rows('IN_OFFLINE');
      assert.deepEqual([offline.messages, offline.webhooks.length], [1, 1], "an offline delivery (Baileys' append) is stored with its webhook");

      crashBeforeCommit = true;
      socket.receive([incoming('IN_CRASH', 'lost together')]);
      await engine.idle();
      const crashed = await rows('IN_CRASH');
      assert.deepEqual([crashed.messages, crashed.webhooks.length], [0, 0], 'a failure before the commit leaves neither the message nor its webhook');
      crashBeforeCommit = false;
      // Baileys hands the message again (a retry, a history sync): now both are stored.
      socket.receive([incoming('IN_CRASH', 'lost together')]);
      await engine.idle();
      const retried = await rows('IN_CRASH');
      assert.deepEqual([retried.messages, retried.webhooks.length], [1, 1], 'stored again with its webhook, once');

      // A status change and its `message.status` row commit together too, one row per step reached.
      await t.db.message.create({ data: { phoneId: phone.id, messageId: 'OUT_1', direction: 'out', chatJid: from, kind: 'text', body: 'hi', status: 'queued', sentAt: new Date() } });
      const statusRows = async () =>
        (await t.db.webhookOutbox.findMany({ where: { event: 'message.status' }, orderBy: { id: 'asc' } })).map((r) => (JSON.parse(r.payload) as { message: { id: string; status: string } }).message.status);
      const status = async () => (await t.db.message.findUniqueOrThrow({ where: { phoneId_messageId: { phoneId: phone.id, messageId: 'OUT_1' } } })).status;
      socket.receipt('OUT_1', 3);
      await engine.idle();
      assert.deepEqual([await status(), await statusRows()], ['delivered', ['sent', 'delivered']], 'a delivery receipt before the ack: both steps, each with its row, in order');
      socket.receipt('OUT_1', 3);
      await engine.idle();
      assert.deepEqual(await statusRows(), ['sent', 'delivered'], 'the same receipt again queues nothing');
      crashBeforeCommit = true;
      socket.receipt('OUT_1', 4);
      await engine.idle();
      assert.deepEqual([await status(), await statusRows()], ['delivered', ['sent', 'delivered']], 'a failure before the commit leaves neither the status nor its row');
      crashBeforeCommit = false;
      socket.receipt('OUT_1', 4);
      await engine.idle();
      assert.deepEqual([await status(), await statusRows()], ['read', ['sent', 'delivered', 'read']], 'the read receipt again: stored with its row, once');

      // Another node takes the phone: the fence refuses the transaction, and nothing of it lands.
      await t.db.$executeRawUnsafe(`UPDATE "PhoneOwner" SET "nodeId" = 'node_b', "epoch" = "epoch" + 1 WHERE "phoneId" = ${phone.id}`);
      socket.receive([incoming('IN_STALE', 'not mine any more')]);
      await engine.idle();
      const stale = await rows('IN_STALE');
      assert.deepEqual([stale.messages, stale.webhooks.length], [0, 0], 'a stale owner writes neither row');
      await t.db.message.create({ data: { phoneId: phone.id, messageId: 'OUT_STALE', direction: 'out', chatJid: from, kind: 'text', body: 'hi', status: 'queued', sentAt: new Date() } });
      socket.receipt('OUT_STALE', 3);
      await engine.idle();
      assert.equal((await t.db.message.findUniqueOrThrow({ where: { phoneId_messageId: { phoneId: phone.id, messageId: 'OUT_STALE' } } })).status, 'queued', 'a stale owner changes no status');
      assert.equal(await t.db.webhookOutbox.count(), 6, 'no other outbox row was written (3 received, 3 status)');
      engine.stop();
    } finally {
      await t.drop();
    }
  });
}
