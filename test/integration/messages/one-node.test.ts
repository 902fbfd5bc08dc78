// Messages in and out on one node, over HTTP against the console's own server, with the real
// Baileys client and the simulator's contacts (they decrypt, ack, send receipts, send text and
// media): text and image both ways, statuses reach `read`, webhooks arrive signed, a `read`
// token sees statuses but no bodies, content never reaches the logs (at trace level, Baileys' too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startSimulator } from '../../../simulator';
import { startConsole } from '../../support/console-server';
import { createTestDatabase, testProviders } from '../../support/databases';
import { testLogger, testSettings } from '../../support/engine';
import { pairPhones } from '../../support/pairing';
import { simMessaging } from '../../support/sim-messaging';
import { startWebhookReceiver, type Received } from '../../support/webhook-receiver';
import { SessionManager } from '../../../lib/sessions/manager';
import { createToken } from '../../../lib/auth/tokens';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e2b3f40000000049454e44ae426082', 'hex');

let serial = 0;
for (const provider of testProviders()) {
  test(`${provider}: messages both ways through one node`, { timeout: 300_000 }, async (t) => {
    const run = `${process.pid % 1000}${++serial}`.padStart(4, '0');
    const phoneJid = `7793${run}0001@s.whatsapp.net`;
    const contact = `1555${run}0002`;
    const contactJid = `${contact}@s.whatsapp.net`;
    // Torn down in reverse, each part only if it started: a part left running when a later one
    // fails to start (e.g. no build for the console) would keep the file from ever ending.
    const started: {
      hook?: Awaited<ReturnType<typeof startWebhookReceiver>>;
      database?: Awaited<ReturnType<typeof createTestDatabase>>;
      server?: Awaited<ReturnType<typeof startConsole>>;
    } = {};
    const sim = await startSimulator({ port: 0 });
    t.after(async () => {
      await started.server?.stop();
      await sim.close();
      await started.hook?.close();
      await started.database?.drop();
    });
    const hook = (started.hook = await startWebhookReceiver());
    const database = (started.database = await createTestDatabase(provider));
    const msg = simMessaging(sim.controlUrl);
    // Read receipts 300 ms after delivery: each status is seen on its own.
    await msg.configure({ receipts: { delivery: 0, read: 300 } });

    const pairing = new SessionManager(database.db, testSettings(sim.url), testLogger());
    const [phone] = await pairPhones(database.db, pairing, sim, [phoneJid]);
    await pairing.shutdown();

    const server = (started.server = await startConsole({
      database,
      env: {
        WA_WEBSOCKET_URL: sim.url,
        SIMULATOR_URL: sim.controlUrl,
        // The most verbose level (Baileys logs at it too): content must not reach any log line.
        LOG_LEVEL: 'trace',
        WEBHOOK_RETRY_BASE_MS: '50',
        MESSAGE_PHONE_INTERVAL_MS: '0',
        MESSAGE_RECIPIENT_INTERVAL_MS: '0',
      },
    }));
    const admin = await server.createToken('admin');
    const read = await server.createToken('read');
    const { token: content } = await createToken(database.db, { name: 'messages-test', scopes: ['messages'] });
    const api = async (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, type, body: type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer()) };
    };
    const secret = crypto.randomBytes(16).toString('hex');
    assert.equal((await api('PUT', `/api/organizations/${phone.organizationId}/webhook`, admin, { url: hook.url, secret })).status, 200);
    const verified = (r: Received) => new Webhook(secret, { format: 'raw' }).verify(r.body, Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]))) as Record<string, unknown>;
    const statusHook = (id: string, status: string) => hook.waitFor((r) => r.json.type === 'message.status' && (r.json.message as { id: string }).id === id && (r.json.message as { status: string }).status === status, 60_000);
    const waitOpen = async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        if ((await api('GET', `/api/sessions/${phone.id}`, read)).body.status === 'open') return;
      }
      throw new Error('the phone did not open');
    };
    await waitOpen();

    // Out: text. Stored before the answer (202, queued), then sent, delivered, read.
    const secretText = `the parcel code is ${crypto.randomBytes(6).toString('hex')}`;
    const sent = await api('POST', `/api/sessions/${phone.id}/messages`, content, { to: `+${contact}`, text: secretText }, { 'idempotency-key': `k-${run}` });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    assert.equal(sent.body.status, 'queued');
    assert.equal(sent.body.to, contactJid);
    const id = sent.body.id as string;
    const readHook = await statusHook(id, 'read');
    assert.deepEqual(verified(readHook), readHook.json, 'the webhook verifies as a Standard Webhooks receiver checks it');
    await statusHook(id, 'delivered');
    // Every status has its webhook, in order, even when a delivery receipt overtakes the server's
    // ack (a later status implies the earlier ones).
    const hooks = hook.received.filter((r) => r.json.type === 'message.status' && (r.json.message as { id: string }).id === id).map((r) => (r.json.message as { status: string }).status);
    assert.deepEqual(hooks, ['sent', 'delivered', 'read'], 'status webhooks in order, once each');
    const [entry] = await msg.waitForInbox(contact, (inbox) => inbox.some((m) => m.id === id));
    assert.deepEqual([entry.text, entry.times, entry.kind], [secretText, 1, 'text'], 'the contact decrypted it, once');
    const got = await api('GET', `/api/sessions/${phone.id}/messages/${id}`, content);
    assert.equal(got.body.status, 'read');
    assert.equal(got.body.text, secretText);
    const times = [got.body.sentAt, got.body.deliveredAt, got.body.readAt];
    assert.ok(times.every(Boolean), `sentAt (the server's ack), deliveredAt, readAt all recorded: ${JSON.stringify(times)}`);
    assert.deepEqual([...times].sort(), times, 'in order');

    // Idempotency: the same key and body answer the same message; another body is a conflict.
    const replay = await api('POST', `/api/sessions/${phone.id}/messages`, content, { to: `+${contact}`, text: secretText }, { 'idempotency-key': `k-${run}` });
    assert.deepEqual([replay.status, replay.body.id], [200, id]);
    const clash = await api('POST', `/api/sessions/${phone.id}/messages`, content, { to: `+${contact}`, text: 'another' }, { 'idempotency-key': `k-${run}` });
    assert.deepEqual([clash.status, clash.body.code], [409, 'idempotency_conflict']);

    const caption = `a pixel ${crypto.randomBytes(6).toString('hex')}`;
    // Out: an image, uploaded to the media host (the simulator's, over HTTPS with its CA).
    const image = await api('POST', `/api/sessions/${phone.id}/messages`, content, { to: contactJid, media: { kind: 'image', mimetype: 'image/png', data: PNG.toString('base64'), caption } });
    assert.equal(image.status, 202, JSON.stringify(image.body));
    await statusHook(image.body.id, 'read');
    const [img] = await msg.waitForInbox(contact, (inbox) => inbox.some((m) => m.id === image.body.id)).then((inbox) => inbox.filter((m) => m.id === image.body.id));
    assert.equal(img.kind, 'image');
    assert.equal(img.caption, caption);
    assert.equal(img.media?.verified, true, 'the contact downloaded, decrypted and checked it');
    assert.equal(img.times, 1);

    // In: text and an image with a caption from the contact.
    const inText = `reply ${crypto.randomBytes(6).toString('hex')}`;
    const { id: inId } = await msg.send(contact, { to: phoneJid, text: inText });
    const received = await hook.waitFor((r) => r.json.type === 'message.received' && (r.json.message as { id: string }).id === inId, 60_000);
    assert.deepEqual(verified(received), received.json);
    assert.equal((received.json.message as { text: string }).text, inText);
    assert.equal((received.json.message as { from: string }).from, contactJid);
    const inCaption = `their pixel ${crypto.randomBytes(6).toString('hex')}`;
    const { id: inImage } = await msg.send(contact, { to: phoneJid, media: { kind: 'image', mimetype: 'image/png', data: PNG.toString('base64'), caption: inCaption } });
    const receivedImage = await hook.waitFor((r) => r.json.type === 'message.received' && (r.json.message as { id: string }).id === inImage, 60_000);
    assert.equal((receivedImage.json.message as { kind: string }).kind, 'image');
    assert.equal((receivedImage.json.message as { text: string }).text, inCaption);
    const media = await api('GET', `/api/sessions/${phone.id}/messages/${inImage}/media`, content);
    assert.equal(media.status, 200, String(media.body));
    assert.equal(media.type, 'image/png');
    assert.deepEqual(media.body, PNG, 'downloaded from the media host and decrypted on request');

    // Traffic: the stats route gains `traffic` (seed fields unchanged), /api/metrics per phone.
    const stats = await api('GET', `/api/sessions/${phone.id}/stats`, read);
    assert.equal(stats.status, 200);
    assert.equal(typeof stats.body.badMacErrors, 'number', 'the seed fields stay');
    const traffic = stats.body.traffic;
    assert.ok(traffic.inPerMinute >= 1, `the image came in seconds ago: ${JSON.stringify(traffic)}`);
    assert.equal(traffic.ackLatencyMs?.count, 2, 'the text and the image were acked');
    assert.ok(traffic.ackLatencyMs.p99 >= traffic.ackLatencyMs.p50 && traffic.ackLatencyMs.p50 > 0);
    assert.deepEqual(traffic.failuresByCode, {});
    const lastIn = await database.db.message.findFirstOrThrow({ where: { phoneId: phone.id, direction: 'in' }, orderBy: { createdAt: 'desc' } });
    assert.equal(traffic.lastReceivedAt, lastIn.createdAt.toISOString());
    const metrics = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${read}` } }).then((r) => r.text());
    const series = (name: string, label: string) => metrics.match(new RegExp(`^${name}\\{[^}]*phone_id="${phone.id}"[^}]*${label}[^}]*\\} (\\S+)$`, 'm'))?.[1];
    assert.ok(Number(series('wa_phone_messages_per_minute', 'direction="in"')) >= 1, 'messages in per minute');
    assert.ok(Number(series('wa_phone_message_ack_seconds', 'percentile="p99"')) > 0, 'ack latency p99');
    assert.equal(series('wa_phone_message_failures', 'code="expired"'), '0', 'every failure code, 0 when none');
    assert.ok(Number(series('wa_phone_last_message_received_timestamp_seconds', 'phone_jid')) > 0, 'last received at');

    // Scopes: a read token sees statuses and counts, never a body, caption or media.
    const asReader = await api('GET', `/api/sessions/${phone.id}/messages?limit=10`, read);
    assert.equal(asReader.status, 200);
    assert.equal(asReader.body.items.length, 4);
    for (const item of asReader.body.items) {
      assert.equal('text' in item, false, 'no body for a read token');
      assert.equal('media' in item, false, 'no media for a read token');
    }
    assert.deepEqual(asReader.body.items.map((i: { id: string }) => i.id), [inImage, inId, image.body.id, id], 'newest first');
    assert.equal('text' in (await api('GET', `/api/sessions/${phone.id}/messages/${inId}`, read)).body, false);
    assert.equal((await api('GET', `/api/sessions/${phone.id}/messages/${inImage}/media`, read)).status, 403);
    assert.equal((await api('POST', `/api/sessions/${phone.id}/messages`, read, { to: contactJid, text: 'no' })).status, 403);
    // The webhook deliveries list shows payloads: a received message's body and media only with content access.
    const readerDeliveries = JSON.stringify((await api('GET', '/api/webhooks/deliveries?limit=100', read)).body);
    assert.ok(readerDeliveries.includes(inId) && !readerDeliveries.includes(inText) && !readerDeliveries.includes(inCaption), 'a read token sees the deliveries, not the content');
    const contentDeliveries = JSON.stringify((await api('GET', '/api/webhooks/deliveries?limit=100', content)).body);
    assert.ok(contentDeliveries.includes(inText) && contentDeliveries.includes(inCaption), 'a messages token sees what was delivered');
    const asContent = await api('GET', `/api/sessions/${phone.id}/messages?direction=in`, content);
    assert.deepEqual(asContent.body.items.map((i: { text: string }) => i.text), [inCaption, inText]);

    // Bad input: clear 4xx, nothing stored.
    const before = await database.db.message.count();
    assert.equal((await api('POST', `/api/sessions/${phone.id}/messages`, content, { to: 'not a number', text: 'x' })).status, 400);
    assert.equal((await api('POST', `/api/sessions/999999/messages`, content, { to: contactJid, text: 'x' })).status, 404);
    assert.equal((await api('POST', `/api/sessions/${phone.id}/messages`, content, { to: contactJid, media: { kind: 'image', mimetype: 'application/zip', data: 'AAAA' } })).status, 415);
    assert.equal(await database.db.message.count(), before);

    // Nothing of the content in any of the console's logs (trace level: ours, Next's and Baileys'):
    // bodies and captions both ways, the media as base64.
    const logs = server.output();
    assert.match(logs, /"level":10/, 'trace lines were written (the check below looks at every level)');
    for (const text of [secretText, inText, caption, inCaption, PNG.toString('base64')]) assert.equal(logs.includes(text), false, `"${text}" is not logged`);
  });
}
