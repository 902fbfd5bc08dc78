// Expiry while no node runs the phone (issue 24.4): a message queued for a closed phone, or for a
// phone whose owner is gone, fails with `expired` after MESSAGE_QUEUE_TTL (status written,
// `message.status` event and its webhook row in the same transaction), by the engine's periodic sweep; a phone another live node
// owns is left to that node, and a message already handed to a socket is never called expired.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createTestDatabase } from '../../support/databases';
import { addPhone, TEST_OUTBOUND } from '../../support/engine';
import { within } from '../../support/eventually';
import { SqlSessionStore } from '../../../lib/sessions/store';
import { EventBus } from '../../../lib/sessions/events';
import { FleetSql } from '../../../lib/fleet/sql';
import { DEFAULT_MESSAGE_SETTINGS, MessageEngine } from '../../../lib/messages/engine';
import { WebhookNotifier } from '../../../lib/webhooks/outbox';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

// SQLite only, to stay short: the statements are the store's (both dialects in store.test.ts).
for (const provider of ['sqlite'] as const) {
  test(`expiry sweep on ${provider}: closed and orphaned phones' messages end expired, a live owner's are left`, async () => {
    const t = await createTestDatabase(provider);
    const bus = new EventBus();
    const engine = new MessageEngine({
      db: t.db,
      store: new SqlSessionStore(t.db, provider),
      bus,
      log: pino({ level: 'silent' }),
      settings: { ...DEFAULT_MESSAGE_SETTINGS, ttlMs: 1500, pollMs: 100 },
      // This node runs no phone: no socket, no fence.
      openSocket: () => null,
      openPhones: () => [],
      epochOf: () => null,
      phoneJidOf: () => null,
    });
    try {
      const closed = await addPhone(t.db, '77992400001@s.whatsapp.net', 'Expiry org');
      const orphan = await addPhone(t.db, '77992400002@s.whatsapp.net', 'Expiry org');
      const busy = await addPhone(t.db, '77992400003@s.whatsapp.net', 'Expiry org');
      await t.db.organizationPhone.update({ where: { id: orphan.id }, data: { status: 'connecting' } });
      await t.db.organizationPhone.update({ where: { id: busy.id }, data: { status: 'connecting' } });
      // `busy` is owned by a live node; `orphan` by a node that has no lease any more.
      const fleet = new FleetSql(provider);
      const renew = fleet.renew('node_b', 600_000, 100);
      await t.db.$queryRawUnsafe(renew.sql, ...renew.params);
      await t.db.phoneOwner.create({ data: { phoneId: busy.id, nodeId: 'node_b', epoch: 1, claimedMs: Date.now() } });
      await t.db.phoneOwner.create({ data: { phoneId: orphan.id, nodeId: 'node_gone', epoch: 3, claimedMs: Date.now() } });
      const to = '15550001111@s.whatsapp.net';
      const queued = (phoneId: number, messageId: string, extra: { sentAt?: Date } = {}) =>
        t.db.message.create({ data: { phoneId, messageId, direction: 'out', chatJid: to, kind: 'text', body: 'hi', status: 'queued', ...extra } });
      await queued(closed.id, 'EXP_CLOSED');
      await queued(orphan.id, 'EXP_ORPHAN');
      await queued(busy.id, 'EXP_BUSY');
      await queued(closed.id, 'EXP_INFLIGHT', { sentAt: new Date() });

      const statuses: Extract<SessionEngineEvent, { type: 'message.status' }>[] = [];
      // The real outbox, not delivering: its rows stay pending for the test to read.
      const outbox = new WebhookNotifier({ outbound: TEST_OUTBOUND }, t.db, pino({ level: 'silent' }));
      await outbox.stop();
      await t.db.organization.update({ where: { id: closed.organizationId }, data: { webhookUrl: 'http://127.0.0.1:9/hook' } });
      engine.setNotifier({
        prepare: (event, payload, phoneId, when) => outbox.prepare(event, payload, { phoneId, organizationOnly: true, when }),
        wake: () => {},
      });
      const both = new Promise<void>((resolve) =>
        bus.subscribe((e) => {
          if (e.type === 'message.status') statuses.push(e);
          if (statuses.length >= 2) resolve();
        }),
      );
      engine.start();
      await within('both expired messages announced', both, 30_000);
      const created = await t.db.message.findMany({ where: { messageId: { in: ['EXP_CLOSED', 'EXP_ORPHAN'] } }, select: { messageId: true, createdAt: true } });
      for (const { messageId, createdAt } of created) {
        const at = Date.parse(statuses.find((e) => e.messageId === messageId)!.at);
        assert.ok(at - createdAt.getTime() >= 1500, `${messageId} failed only after the TTL`);
      }
      assert.deepEqual(
        statuses.map((e) => [e.messageId, e.status, e.code, e.phoneJid]).sort(),
        [
          ['EXP_CLOSED', 'failed', 'expired', closed.phoneJid],
          ['EXP_ORPHAN', 'failed', 'expired', orphan.phoneJid],
        ],
      );
      const webhooks = (await t.db.webhookOutbox.findMany()).map((r) => ({ event: r.event, payload: JSON.parse(r.payload) as { message: { id: string; code: string | null } } }));
      assert.deepEqual(webhooks.map((w) => [w.event, w.payload.message.id, w.payload.message.code]).sort(), [
        ['message.status', 'EXP_CLOSED', 'expired'],
        ['message.status', 'EXP_ORPHAN', 'expired'],
      ]);
      // A sweep now (as another node's would) changes nothing more: compare-and-set on `queued`.
      assert.equal(await engine.expireUnsent(), 0);
      const rows = await t.db.message.findMany({ orderBy: { messageId: 'asc' }, select: { messageId: true, status: true, failureCode: true } });
      assert.deepEqual(rows, [
        { messageId: 'EXP_BUSY', status: 'queued', failureCode: null },
        { messageId: 'EXP_CLOSED', status: 'failed', failureCode: 'expired' },
        { messageId: 'EXP_INFLIGHT', status: 'queued', failureCode: null },
        { messageId: 'EXP_ORPHAN', status: 'failed', failureCode: 'expired' },
      ]);
      assert.equal(statuses.length, 2, 'each expiry announced once');
      assert.equal(await t.db.webhookOutbox.count(), 2, "each expiry's webhook row written once, in its status write's transaction");
    } finally {
      engine.stop();
      await engine.idle();
      await t.drop();
    }
  });
}
