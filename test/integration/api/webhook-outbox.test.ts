// Durable webhook delivery: each delivery is stored before it is sent; a process that stops (or
// dies) leaves it pending and the next one delivers it with the same webhook-id; attempts stop at
// the configured limit; two workers on one database never send a delivery twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import { testLogger, TEST_OUTBOUND } from '../../support/engine';
import { WebhookNotifier } from '../../../lib/webhooks/outbox';
import { startConsole } from '../../support/console-server';
import { eventually } from '../../support/eventually';

for (const provider of testProviders()) {
test(`${provider}: webhook outbox survives a restart, stops at the limit, one sender per delivery`, async (t) => {
  const tdb = await createTestDatabase(provider);
  const hook = await startWebhookReceiver();
  const workers: WebhookNotifier[] = [];
  t.after(async () => {
    for (const w of workers) await w.stop();
    await hook.close();
    await tdb.drop();
  });
  const worker = (settings: Partial<ConstructorParameters<typeof WebhookNotifier>[0]> = {}) => {
    const w = new WebhookNotifier({ url: hook.url, outbound: TEST_OUTBOUND, secret: 'outbox-secret-123456', attempts: 5, baseDelayMs: 300, pollMs: 50, ...settings }, tdb.db, testLogger());
    workers.push(w);
    return w;
  };

  await t.test('stored before sending; pending across a restart; delivered later with the same id', async () => {
    hook.failNextRequests(1);
    const first = worker();
    const sentAt = Date.now();
    first.send('session_auto_closed', { type: 'session_auto_closed', phoneId: 1, phoneJid: '1@s.whatsapp.net', errorType: 'Bad MAC', reason: 'limit', timestamp: new Date().toISOString() });
    const failed = await eventually('the first attempt to fail', async () => {
      const row = await tdb.db.webhookOutbox.findFirst();
      return row && row.attempts === 1 ? row : null;
    });
    const seenAt = Date.now();
    assert.equal(failed.status, 'pending');
    assert.equal(failed.lastError, 'HTTP 500');
    // Retry 1 is due baseDelayMs (300) after the failed attempt, which happened between the send
    // and the moment the row was read (1 ms of slack for the database's timestamp rounding).
    const due = failed.nextAttemptAt.getTime();
    assert.ok(due >= sentAt + 300 - 1 && due <= seenAt + 300 + 1, `a retry scheduled 300 ms after the attempt: due ${due - sentAt} ms after the send, read ${seenAt - sentAt} ms after it`);
    await first.stop(); // the process goes away before the retry
    assert.equal(hook.received.length, 1);
    // Let the retry fall due while no worker runs (a wait for the clock, not a proof of absence).
    await eventually('the retry to fall due', () => Date.now() > due + 100, undefined, 50);
    const receivedBeforeRestart = hook.received.length;
    const second = worker().start(); // the next process
    await second.idle();
    // The proof that the stopped worker sent nothing: the next process's delivery is attempt 2 and
    // the only request besides the first one.
    assert.equal(receivedBeforeRestart, 1, 'a stopped worker sends nothing');
    const row = await tdb.db.webhookOutbox.findUniqueOrThrow({ where: { id: failed.id } });
    assert.equal(row.status, 'delivered');
    assert.equal(row.attempts, 2);
    assert.ok(row.deliveredAt);
    assert.equal(hook.received.length, 2);
    assert.equal(hook.received[0].headers['webhook-id'], hook.received[1].headers['webhook-id']);
    assert.equal(hook.received[1].headers['webhook-id'], row.messageId);
    await second.stop();
  });

  await t.test('attempts stop at the configured limit: failed, with the last error', async () => {
    hook.received.length = 0;
    hook.failNextRequests(100);
    const w = worker({ attempts: 3, baseDelayMs: 20 });
    w.send('session_health_report', { type: 'session_health_report', checked: 1, warnings: [], timestamp: new Date().toISOString() });
    await w.idle();
    const row = await tdb.db.webhookOutbox.findFirstOrThrow({ where: { event: 'session_health_report' } });
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 3);
    assert.equal(row.lastStatusCode, 500);
    assert.equal(hook.received.length, 3);
    // Send again: the same message, a fresh budget.
    hook.failNextRequests(0);
    const again = await w.redeliver(row.id);
    assert.equal(again?.status, 'pending');
    await w.idle();
    const done = await tdb.db.webhookOutbox.findUniqueOrThrow({ where: { id: row.id } });
    assert.equal(done.status, 'delivered');
    assert.equal(hook.received.at(-1)!.headers['webhook-id'], row.messageId);
    await w.stop();
  });

  await t.test('two workers on one database: every delivery is sent exactly once', async () => {
    hook.received.length = 0;
    const a = worker({ baseDelayMs: 20 }).start();
    const b = worker({ baseDelayMs: 20 }).start();
    for (let i = 0; i < 20; i++) (i % 2 ? a : b).send('session_error_warning', { type: 'session_error_warning', n: i });
    await a.idle();
    await b.idle();
    const ids = hook.received.map((r) => String(r.headers['webhook-id']));
    assert.equal(ids.length, 20, `received ${ids.length}`);
    assert.equal(new Set(ids).size, 20, 'no delivery sent twice');
  });
});
}

test('webhook outbox across a crash: a console killed before its retry; the next console on the same database delivers it', { timeout: 180_000 }, async (t) => {
  const tdb = await createTestDatabase('sqlite');
  const hook = await startWebhookReceiver();
  const servers: { stop(): Promise<void> }[] = [];
  t.after(async () => {
    for (const s of servers) await s.stop();
    await hook.close();
    await tdb.drop();
  });
  // A phone the database calls connected, with no socket (autostart off): the health monitor reports it.
  const org = await tdb.db.organization.create({ data: { name: 'Crash' } });
  await tdb.db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77051236001@s.whatsapp.net', status: 'open' } });
  hook.failNextRequests(1000);
  const env = { ERROR_WEBHOOK_URL: hook.url, ERROR_WEBHOOK_SECRET: 'crash-test-secret', SESSIONS_AUTOSTART: 'false', WEBHOOK_MAX_ATTEMPTS: '5', WEBHOOK_RETRY_BASE_MS: '3000' };
  const first = await startConsole({ database: tdb, env: { ...env, HEALTH_CHECK_INTERVAL_MS: '1000' } });
  servers.push(first);
  const failed = await hook.waitFor((r) => r.json.type === 'session_health_report', 60_000);
  const messageId = String(failed.headers['webhook-id']);
  await eventually('the failed attempt to be stored', async () => {
    const row = await tdb.db.webhookOutbox.findUnique({ where: { messageId } });
    return row && row.attempts === 1 && row.status === 'pending' ? row : null;
  });
  await first.kill(); // before its retry (3 s later)
  hook.failNextRequests(0);
  const second = await startConsole({ database: tdb, env: { ...env, HEALTH_CHECK_INTERVAL_MS: '3600000' } });
  servers.push(second);
  const delivered = await hook.waitFor((r) => r.headers['webhook-id'] === messageId && hook.received.indexOf(r) > hook.received.indexOf(failed), 60_000);
  assert.deepEqual(delivered.json, failed.json, 'the same delivery');
  const row = await eventually('the delivery to be marked delivered', async () => {
    const r = await tdb.db.webhookOutbox.findUnique({ where: { messageId } });
    return r?.status === 'delivered' ? r : null;
  });
  assert.ok(row.attempts >= 2, `attempts ${row.attempts}`);
});

// A delivery stored while its receiver's oldest one was being tried waits behind that attempt's
// claim lease (up to 35 s), which can be later than the deliveries stored after it; it still leaves
// before them (seen once beside CPU hogs: 8, 10, 11, 9 after a receiver's outage).
for (const provider of testProviders()) {
  test(`${provider}: a never-tried delivery is not overtaken by later ones of its URL`, async (t) => {
    const tdb = await createTestDatabase(provider);
    const hook = await startWebhookReceiver();
    const worker = new WebhookNotifier({ url: hook.url, outbound: TEST_OUTBOUND, pollMs: 50 }, tdb.db, testLogger());
    t.after(async () => {
      await worker.stop();
      await hook.close();
      await tdb.drop();
    });
    const now = Date.now();
    for (const [n, dueInMs] of [[0, -1000], [1, 30_000], [2, -1000]] as const) {
      await tdb.db.webhookOutbox.create({
        data: { messageId: `msg_order_${provider}_${n}`, event: 'session_error_warning', url: hook.url, payload: JSON.stringify({ n }), maxAttempts: 5, nextAttemptAt: new Date(now + dueInMs) },
      });
    }
    worker.start();
    const delivered = () => hook.received.filter((r) => r.headers['webhook-id']);
    await eventually('the three deliveries', () => (delivered().length >= 3 ? true : undefined), 20_000);
    assert.deepEqual(delivered().map((r) => r.json.n), [0, 1, 2], 'in the order stored');
  });
}
