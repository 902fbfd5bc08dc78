// Webhook deliveries verify with the `standardwebhooks` package exactly as a receiver would, keep
// one webhook-id across retries, still carry the seed's X-Webhook-Signature; early warnings are
// sent only when asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createTestDatabase } from '../../support/databases';
import { startWebhookReceiver, type Received } from '../../support/webhook-receiver';
import { testLogger, TEST_OUTBOUND } from '../../support/engine';
import { WebhookNotifier, errorWarningPayload } from '../../../lib/webhooks/outbox';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

const failure = (count: number, max: number, kind: 'bad-mac' | 'bad-decrypt' = 'bad-mac'): SessionEngineEvent => ({
  type: 'decrypt-failure',
  phoneId: 7,
  phoneJid: '77050000007@s.whatsapp.net',
  kind,
  errorType: kind === 'bad-mac' ? 'Bad MAC' : 'Bad Decrypt',
  sender: null,
  count,
  max,
  deletedKeys: 0,
  at: new Date().toISOString(),
});

const headersOf = (r: Received) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

test('Standard Webhooks: verify as a receiver does, one id across retries, the seed signature kept', async (t) => {
  const tdb = await createTestDatabase('sqlite');
  const hook = await startWebhookReceiver();
  t.after(async () => {
    await hook.close();
    await tdb.drop();
  });

  await t.test('a plain secret: raw format, or whsec_ + base64 of it', async () => {
    const secret = 'plain-seed-secret-' + crypto.randomBytes(4).toString('hex');
    const notifier = new WebhookNotifier({ url: hook.url, outbound: TEST_OUTBOUND, secret, attempts: 3, baseDelayMs: 20 }, tdb.db, testLogger());
    hook.failNextRequests(2);
    notifier.onEngineEvent(failure(2, 3));
    await notifier.idle();
    const got = hook.received.filter((r) => r.json.type === 'session_error_warning');
    assert.equal(got.length, 3, 'two failures, then delivered');
    const ids = new Set(got.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1, 'the same webhook-id on every retry');
    assert.match(String([...ids][0]), /^msg_[A-Za-z0-9_-]+$/);
    for (const r of got) {
      const h = headersOf(r);
      assert.match(h['webhook-timestamp'], /^\d{10}$/);
      assert.match(h['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
      assert.deepEqual(new Webhook(secret, { format: 'raw' }).verify(r.body, h), r.json);
      assert.deepEqual(new Webhook('whsec_' + Buffer.from(secret).toString('base64')).verify(r.body, h), r.json);
      assert.equal(h['x-webhook-signature'], 'sha256=' + crypto.createHmac('sha256', secret).update(r.body).digest('hex'));
      assert.throws(() => new Webhook(secret, { format: 'raw' }).verify(r.body.replace('"currentCount":2', '"currentCount":1'), h), /signature/i);
      assert.throws(() => new Webhook('wrong-secret', { format: 'raw' }).verify(r.body, h), /signature/i);
    }
    const rows = await tdb.db.webhookDelivery.findMany({ orderBy: { id: 'asc' } });
    assert.deepEqual(rows.map((d) => [d.attempt, d.ok]), [[1, false], [2, false], [3, true]]);
  });

  await t.test('a whsec_ secret works as it is', async () => {
    hook.received.length = 0;
    const secret = 'whsec_' + crypto.randomBytes(24).toString('base64');
    const notifier = new WebhookNotifier({ url: hook.url, outbound: TEST_OUTBOUND, secret, baseDelayMs: 20 }, tdb.db, testLogger());
    notifier.onEngineEvent({ type: 'auto-closed', phoneId: 7, phoneJid: '77050000007@s.whatsapp.net', reason: 'Bad MAC limit reached (3/3)', closeReason: { code: 'auto_closed', params: { errorType: 'Bad MAC', count: 3, max: 3 } }, errorType: 'Bad MAC', at: new Date().toISOString() });
    await notifier.idle();
    const [r] = hook.received;
    assert.equal(r.json.type, 'session_auto_closed');
    assert.deepEqual(new Webhook(secret).verify(r.body, headersOf(r)), r.json);
  });

  await t.test('two deliveries have two ids', async () => {
    hook.received.length = 0;
    const notifier = new WebhookNotifier({ url: hook.url, outbound: TEST_OUTBOUND, secret: 'x'.repeat(20), baseDelayMs: 20 }, tdb.db, testLogger());
    notifier.onEngineEvent(failure(2, 3));
    notifier.onEngineEvent(failure(3, 3));
    await notifier.idle();
    assert.equal(new Set(hook.received.map((r) => r.headers['webhook-id'])).size, 2);
  });
});

test('early warning: off by default (the seed), a `warning` at the first counted failure when on', async (t) => {
  const tdb = await createTestDatabase('sqlite');
  const hook = await startWebhookReceiver();
  t.after(async () => {
    await hook.close();
    await tdb.drop();
  });
  // The seed's rule alone never yields `warning`: the payload goes out at max - 1, which is critical.
  for (let count = 1; count <= 5; count++) {
    const p = errorWarningPayload(failure(count, 5, 'bad-decrypt'));
    assert.equal(p === null ? null : p.severity, count >= 4 ? 'critical' : null, `seed rule at ${count}/5`);
  }
  const early = (count: number, max: number) => errorWarningPayload(failure(count, max, 'bad-decrypt'), { earlyWarning: true });
  assert.equal(early(1, 5)?.severity, 'warning');
  assert.equal(early(2, 5), null, 'only the first counted failure warns early');
  assert.equal(early(4, 5)?.severity, 'critical');
  assert.equal(early(1, 2)?.severity, 'critical', 'when the first failure is already max - 1 it is critical, sent once');

  const notifier = new WebhookNotifier({ url: hook.url, outbound: TEST_OUTBOUND, earlyWarning: true, baseDelayMs: 20 }, tdb.db, testLogger());
  for (let count = 1; count <= 3; count++) notifier.onEngineEvent(failure(count, 3));
  await notifier.idle();
  const sent = hook.received.map((r) => [r.json.currentCount, r.json.severity]);
  assert.deepEqual(sent.sort(), [[1, 'warning'], [2, 'critical'], [3, 'critical']]);
  const warning = hook.received.find((r) => r.json.severity === 'warning')!;
  assert.deepEqual(Object.keys(warning.json).sort(), ['currentCount', 'errorType', 'maxAllowed', 'phoneId', 'severity', 'timestamp', 'type'], "the seed's payload");
});
