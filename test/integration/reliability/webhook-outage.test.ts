// A webhook receiver down for 60 s with the default settings (issue 21.8): nothing is given up,
// only the oldest waiting delivery is tried while it is down, and once it answers again every
// delivery arrives exactly once, in the order stored, within 5 s. Both databases side by side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import { testLogger, TEST_OUTBOUND } from '../../support/engine';
import { WebhookNotifier } from '../../../lib/webhooks/outbox';
import { parseConfig } from '../../../lib/config';
import { webhookSettings } from '../../../lib/boot/subscribers';

const OUTAGE_MS = 60_000;
const BEFORE = 3;
const DURING = 9;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(25);
  }
}

async function outage(provider: 'sqlite' | 'postgresql') {
  const tdb = await createTestDatabase(provider);
  const hook = await startWebhookReceiver();
  // The production defaults, with a loopback receiver allowed.
  const settings = { ...webhookSettings(parseConfig({ ERROR_WEBHOOK_URL: hook.url })), outbound: TEST_OUTBOUND };
  const notifier = new WebhookNotifier(settings, tdb.db, testLogger()).start();
  try {
    const delivered = () => hook.received.filter((r) => r.headers['webhook-id']);
    const send = (n: number) => notifier.send('session_error_warning', { type: 'session_error_warning', n });
    for (let n = 0; n < BEFORE; n++) send(n);
    await until('the first deliveries', () => delivered().length === BEFORE, 30_000);

    await hook.down();
    const downAt = Date.now();
    // Events keep coming while the receiver is down, spread over the outage.
    for (let n = BEFORE; n < BEFORE + DURING; n++) {
      send(n);
      await pause(OUTAGE_MS / (DURING + 1));
    }
    await pause(Math.max(0, downAt + OUTAGE_MS - Date.now()));
    const duringOutage = await notifier.backlog();
    await hook.up();
    const upAt = Date.now();
    await until('every delivery after the outage', () => delivered().length >= BEFORE + DURING, 30_000);
    await notifier.idle();

    const arrivals = delivered();
    const ns = arrivals.map((r) => r.json.n as number);
    const failed = await tdb.db.webhookDelivery.findMany({ where: { ok: false }, select: { payload: true } });
    return { ns, ids: arrivals.map((r) => r.headers['webhook-id']), lastAfterUpMs: Math.max(...arrivals.map((r) => r.at)) - upAt, duringOutage, failedPayloads: failed.map((f) => JSON.parse(f.payload).n as number), sequences: arrivals.map((r) => Number(r.headers['webhook-sequence'])) };
  } finally {
    await notifier.stop();
    await hook.close().catch(() => {});
    await tdb.drop();
  }
}

test('a receiver down for 60 s: every delivery exactly once, in order, within 5 s of its return', { timeout: 240_000 }, async (t) => {
  const providers = testProviders();
  const results = await Promise.all(providers.map((p) => outage(p)));
  for (const [i, r] of results.entries()) {
    const provider = providers[i];
    t.diagnostic(`${provider}: last delivery ${r.lastAfterUpMs} ms after the receiver came back; ${r.failedPayloads.length} failed attempts during the 60 s outage`);
    const all = Array.from({ length: BEFORE + DURING }, (_, n) => n);
    assert.deepEqual(r.ns, all, `${provider}: each delivery once, in the order stored`);
    assert.equal(new Set(r.ids).size, r.ids.length, `${provider}: no webhook-id twice`);
    assert.deepEqual([...r.sequences].sort((a, b) => a - b), r.sequences, `${provider}: webhook-sequence increases`);
    assert.ok(r.lastAfterUpMs <= 5000, `${provider}: the last delivery arrived ${r.lastAfterUpMs} ms after the receiver came back`);
    assert.equal(r.duringOutage.pending, DURING, `${provider}: all ${DURING} waiting at the end of the outage, none given up`);
    assert.equal(r.duringOutage.failed, 0);
    // While it was down only the oldest waiting delivery was tried.
    assert.ok(r.failedPayloads.length > 0, `${provider}: the receiver was probed during the outage`);
    assert.deepEqual([...new Set(r.failedPayloads)], [BEFORE], `${provider}: failed attempts were all the oldest delivery's`);
  }
});
