// A webhook receiver that hangs, answers 500 or refuses connections never slows or breaks the
// session engine. Wired the production way (lib/boot/subscribers.ts with the production notifier
// settings: 5 s timeout; 3 attempts set here), the phone reaches `closed` at its error limit while the
// warning sent just before is still undelivered (held open by a hanging receiver, or waiting
// for its retries), which an engine that waited for its webhooks could not do; the session
// can be started again meanwhile; every failed attempt is recorded and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../../../simulator';
import { createTestDatabase } from '../../support/databases';
import { SessionManager } from '../../../lib/sessions/manager';
import { resetConfig } from '../../../lib/config';
import { setDb } from '../../../lib/db/client';
import { getMetrics } from '../../../lib/metrics';
import { startSubscribers, stopSubscribers } from '../../../lib/boot/subscribers';
import { eventRecorder, testLogger, testSettings } from '../../support/engine';
import { pairPhones } from '../../support/pairing';

process.env.LOG_LEVEL = 'silent';

interface Receiver {
  url: string;
  /** requests that arrived and are not answered or aborted yet */
  open(): number;
  close(): Promise<void>;
}

/** Nothing listens on port 1 (privileged, never bound here): checked, then used as a refusing receiver. */
async function refusingUrl(): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(1, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      reject(new Error('something listens on 127.0.0.1:1'));
    });
    s.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve() : reject(err)));
  });
  return 'http://127.0.0.1:1/hook';
}

async function receiver(kind: 'hang' | '500' | 'refuse'): Promise<Receiver> {
  if (kind === 'refuse') return { url: await refusingUrl(), open: () => 0, close: async () => {} };
  const sockets = new Set<net.Socket>();
  let open = 0;
  const server = http.createServer((req, res) => {
    open++;
    res.once('close', () => open--);
    if (kind === '500') res.writeHead(500).end('broken');
    // 'hang': never answer; the notifier gives up after its timeout
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    open: () => open,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const counterValue = async (counter: { get(): Promise<{ values: { value: number }[] }> }) => (await counter.get()).values[0]?.value ?? 0;

for (const kind of ['hang', '500', 'refuse'] as const) {
  test(`webhook receiver that ${kind === 'hang' ? 'hangs' : kind === '500' ? 'answers 500' : 'refuses connections'}: the engine does not wait for it`, async (t) => {
    const sim = await startSimulator({ port: 0 });
    const tdb = await createTestDatabase('sqlite');
    const hook = await receiver(kind);
    // The production wiring reads its settings from the environment and the process-wide database.
    process.env.ERROR_WEBHOOK_URL = hook.url;
    // The close comes one fault round trip after the count-2 warning (tens of ms when idle); the
    // warning's retries fall due at least base and 2·base after its first failure (the gap is the
    // larger of the base and a twentieth of the failing time: lib/webhooks/retry.ts). With a
    // 3 s base that window is 6 s, generous for a loaded machine; the gap measured is printed below.
    process.env.WEBHOOK_RETRY_BASE_MS = '3000';
    process.env.WEBHOOK_MAX_ATTEMPTS = '3'; // give up within the test (the default retries for a day)
    process.env.OUTBOUND_ALLOW_INTERNAL = '127.0.0.0/8,::1'; // the receiver listens on loopback
    resetConfig();
    await setDb(tdb.db);
    const manager = new SessionManager(tdb.db, testSettings(sim.url), testLogger());
    const subs = startSubscribers(manager);
    assert.ok(subs.webhooks, 'the webhook notifier is wired');
    const rec = eventRecorder(manager);
    // The watcher below polls the outbox on its own schedule: it must end before the database goes.
    let deliveriesWatched: Promise<unknown> = Promise.resolve();
    t.after(async () => {
      await deliveriesWatched.catch(() => {});
      rec.unsubscribe();
      await manager.shutdown();
      await stopSubscribers();
      await hook.close();
      await sim.close();
      await tdb.drop();
      await setDb(undefined);
      delete process.env.ERROR_WEBHOOK_URL;
      delete process.env.WEBHOOK_RETRY_BASE_MS;
      delete process.env.WEBHOOK_MAX_ATTEMPTS;
      delete process.env.OUTBOUND_ALLOW_INTERNAL;
      resetConfig();
    });
    const failuresBefore = await counterValue(getMetrics(manager).webhookFailures);
    const jid = `77083${kind === 'hang' ? 1 : kind === '500' ? 2 : 3}000001@s.whatsapp.net`;
    const [phone] = await pairPhones(tdb.db, manager, sim, [jid]);

    // What is true at the moment the phone reaches `closed`.
    let atClose: { openRequests: number; deliveriesDone: boolean; at: number } | null = null;
    let deliveriesDone = false;
    const off = manager.subscribe((e) => {
      if (e.type === 'state' && e.phoneId === phone.id && e.state === 'closed' && !atClose) {
        atClose = { openRequests: hook.open(), deliveriesDone, at: Date.now() };
      }
    });
    t.after(off);
    const mark = rec.mark();
    await sim.inject(jid, { type: 'bad-mac', count: 3 });
    await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id && e.count === 2, 60_000, mark);
    const count2At = Date.now();
    // From the count-2 warning on: has every queued delivery finished?
    deliveriesWatched = subs.webhooks!.idle().then(() => (deliveriesDone = true));
    await rec.waitFor((e) => e.type === 'auto-closed' && e.phoneId === phone.id, 60_000, mark);
    await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'closed', 60_000, mark);
    assert.ok(atClose, 'saw the close');
    const closeState = atClose as { openRequests: number; deliveriesDone: boolean; at: number };
    t.diagnostic(`count-2 warning → closed: ${closeState.at - count2At} ms (retry window at least 6000 ms)`);
    // The warning for count 2 went out before the third fault; its delivery had not finished
    // (a hanging receiver still held it, or its retries were still to come) when the session
    // closed. An engine that awaited its webhooks would have closed only after it finished.
    assert.equal(closeState.deliveriesDone, false, 'deliveries were still in flight when the session closed');
    if (kind === 'hang') assert.ok(closeState.openRequests >= 1, `the receiver still held ${closeState.openRequests} request(s) when the session closed`);
    const count2Attempts = await tdb.db.webhookDelivery.count({ where: { payload: { contains: '"currentCount":2' } } });
    assert.ok(count2Attempts < 3, `the count-2 warning had made ${count2Attempts} of its 3 attempts`);

    // The session can be started again while deliveries are still failing.
    const reopen = rec.mark();
    await manager.start(phone.id);
    await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 60_000, reopen);

    await subs.webhooks!.idle();
    const attempts = await tdb.db.webhookDelivery.findMany({ orderBy: { id: 'asc' } });
    // Warnings at counts 2 and 3, and the auto-close notice: 3 deliveries × 3 attempts, all failed.
    assert.deepEqual(
      [...new Set(attempts.map((a) => `${a.event}:${JSON.parse(a.payload).currentCount ?? '-'}`))].sort(),
      ['session_auto_closed:-', 'session_error_warning:2', 'session_error_warning:3'],
    );
    assert.equal(attempts.length, 9);
    assert.ok(attempts.every((a) => !a.ok && a.error), 'every attempt failed and says why');
    if (kind === '500') assert.ok(attempts.every((a) => a.statusCode === 500));
    else assert.ok(attempts.every((a) => a.statusCode === null));
    if (kind === 'hang') assert.ok(attempts.every((a) => a.durationMs >= 4900), 'each attempt waited for the 5 s timeout');
    assert.equal(subs.webhooks!.failures, 9);
    assert.equal((await counterValue(getMetrics(manager).webhookFailures)) - failuresBefore, 9, 'the failures metric counted them');
  });
}
