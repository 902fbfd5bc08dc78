// The sessions API over HTTP against `next start` with the simulator: the seed's endpoints and
// shapes field by field, cookie and token auth, SSE, webhooks, metrics, OpenAPI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startSimulator, type Simulator } from '../../../simulator';
import { startConsole, type ConsoleServer } from '../../support/console-server';
import { testProviders } from '../../support/databases';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import { sseUntil, type Json } from '../../support/sse';

for (const provider of testProviders()) {
  test(`${provider}: sessions API over HTTP`, async (t) => {
    const sim: Simulator = await startSimulator({ port: 0 });
    const hook = await startWebhookReceiver();
    const secret = crypto.randomBytes(8).toString('hex');
    const server: ConsoleServer = await startConsole({
      provider,
      env: { WA_WEBSOCKET_URL: sim.url, ERROR_WEBHOOK_URL: hook.url, ERROR_WEBHOOK_SECRET: secret, WEBHOOK_RETRY_BASE_MS: '50', RECONNECT_BASE_MS: '200', SSE_HEARTBEAT_MS: '500' },
    });
    t.after(async () => {
      await server.stop();
      await sim.close();
      await hook.close();
    });
    const { url } = server;
    const token = await server.createToken('admin');
    const readToken = await server.createToken('read');
    const auth = { authorization: `Bearer ${token}` };
    const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) => {
      const res = await fetch(url + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      assert.match(res.headers.get('content-type') ?? '', /json/, `${method} ${path} answers JSON`);
      return { status: res.status, body: JSON.parse(text) };
    };
    /** Resolves once the phone is in `state`: now (read when the stream opens) or by a stream event. */
    const waitForState = async (phoneId: number, state: string) => {
      const already = new Error('already there');
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'state' && data.phoneId === phoneId && data.state === state, 20_000, async () => {
        if ((await api('GET', `/api/sessions/${phoneId}`)).body.status === state) throw already;
      }).catch((err) => {
        if (err !== already) throw err;
      });
    };
    const jid = provider === 'sqlite' ? '77051230001@s.whatsapp.net' : '77051230002@s.whatsapp.net';
    let id = 0;

    await t.test('add a phone → pairing QR → scan → open', async () => {
      const created = await api('POST', '/api/sessions', { organizationName: 'Acme', phone: '+' + jid.split('@')[0], label: 'Support line' });
      assert.equal(created.status, 201);
      id = created.body.id;
      assert.equal(created.body.phoneJid, jid);
      let qr: { status: number; body: Json } = { status: 0, body: {} };
      // The socket emits its QR shortly after connecting; the SSE would tell us, polling is fine here.
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'qr' && data.phoneId === id, 15_000, async () => {
        qr = await api('GET', `/api/sessions/${id}/qr`);
      });
      qr = await api('GET', `/api/sessions/${id}/qr`);
      assert.equal(qr.status, 200);
      assert.match(String(qr.body.svg), /^<svg/);
      await sim.scan(jid, String(qr.body.qr));
      await waitForState(id, 'open');
      const dup = await api('POST', '/api/sessions', { organizationName: 'Acme', phone: jid.split('@')[0] });
      assert.equal(dup.status, 409);
      assert.equal((await api('GET', `/api/sessions/${id}/qr`)).status, 409, 'no QR once paired');
    });

    await t.test("the seed's shapes, field by field", async () => {
      const list = await api('GET', '/api/sessions');
      assert.equal(list.status, 200);
      const row = list.body.find((s: Json) => s.id === id);
      for (const key of ['id', 'phoneJid', 'status', 'lastConnectedAt', 'stats', 'isActive', 'organizationId', 'health', 'lastCloseReason']) assert.ok(key in row, key);
      assert.equal(row.phoneJid, jid);
      assert.equal(row.status, 'open');
      assert.equal(row.isActive, true);
      assert.equal(row.health, 'healthy');
      assert.ok(!Number.isNaN(Date.parse(row.lastConnectedAt)));
      assert.deepEqual(row.stats, { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
      assert.deepEqual((await api('GET', '/api/sessions?status=closed')).body.filter((s: Json) => s.id === id), []);
      assert.equal((await api('GET', `/api/sessions?organizationId=${row.organizationId}`)).body.length, 1);
      assert.equal((await api('GET', '/api/sessions?status=bogus')).status, 400);
      const stats = await api('GET', `/api/sessions/${id}/stats`, undefined, { authorization: `Bearer ${readToken}` });
      assert.deepEqual(stats.body, { phoneId: id, isConnected: true, badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
    });

    await t.test('the list follows writes made by another process (the list is cached between changes)', async () => {
      const before = (await api('GET', '/api/sessions')).body as Json[];
      const org = await server.db.organization.create({ data: { name: `Outside ${provider}` } });
      const outside = await server.db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: `7705999${provider === 'sqlite' ? '0001' : '0002'}@s.whatsapp.net`, status: 'closed' } });
      const added = (await api('GET', '/api/sessions')).body as Json[];
      assert.equal(added.length, before.length + 1);
      assert.equal(added.find((s) => s.id === outside.id)?.organizationName, `Outside ${provider}`);
      await server.db.organizationPhone.update({ where: { id: outside.id }, data: { label: 'Renamed outside', lastCloseReason: 'Closed elsewhere' } });
      const updated = ((await api('GET', '/api/sessions')).body as Json[]).find((s) => s.id === outside.id);
      assert.equal(updated?.label, 'Renamed outside');
      assert.equal(updated?.lastCloseReason, 'Closed elsewhere');
      await server.db.organization.delete({ where: { id: org.id } }); // cascades to the phone
      assert.deepEqual(((await api('GET', '/api/sessions')).body as Json[]).map((s) => s.id), before.map((s) => s.id));
    });

    await t.test('faults: webhook at counts 2 and 3 with the seed payload and signature; stream within a second', async () => {
      const sse = sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'decrypt-failure' && data.phoneId === id && data.count === 1, 10_000, async () => {
        t.diagnostic('stream open; injecting');
        sentAt = Date.now();
        await sim.inject(jid, { type: 'bad-mac' });
      });
      let sentAt = 0;
      const got = await sse;
      t.diagnostic(`fault → SSE event in ${got.at - sentAt} ms`);
      assert.ok(got.at - sentAt < 1000, `stream delivered in ${got.at - sentAt} ms`);
      assert.equal(hook.received.filter((r) => r.json.type === 'session_error_warning').length, 0, 'count 1 of 3 sends no warning');
      hook.failNextRequests(1);
      await sim.inject(jid, { type: 'bad-mac' });
      const w2 = await hook.waitFor((r) => r.json.type === 'session_error_warning' && r.json.currentCount === 2 && hook.received.indexOf(r) > 0);
      assert.deepEqual(Object.keys(w2.json).sort(), ['currentCount', 'errorType', 'maxAllowed', 'phoneId', 'severity', 'timestamp', 'type']);
      assert.deepEqual({ ...w2.json, timestamp: undefined }, { type: 'session_error_warning', phoneId: id, errorType: 'Bad MAC', currentCount: 2, maxAllowed: 3, severity: 'critical', timestamp: undefined });
      assert.ok(!Number.isNaN(Date.parse(String(w2.json.timestamp))));
      const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(w2.body).digest('hex');
      assert.equal(w2.headers['x-webhook-signature'], expected);
      assert.equal(hook.received.filter((r) => r.json.currentCount === 2).length, 2, 'retried after the 500');
      const stats = await api('GET', `/api/sessions/${id}/stats`);
      assert.equal(stats.body.badMacErrors, 2);
      assert.equal(stats.body.isHealthy, true);
      assert.equal((await api('GET', '/api/sessions')).body.find((s: Json) => s.id === id).health, 'critical');

      await sim.inject(jid, { type: 'bad-mac' });
      const w3 = await hook.waitFor((r) => r.json.type === 'session_error_warning' && r.json.currentCount === 3);
      assert.equal(w3.json.severity, 'critical');
      const auto = await hook.waitFor((r) => r.json.type === 'session_auto_closed');
      assert.equal(auto.json.reason, 'Bad MAC limit reached (3/3)');
      const deliveries = await server.db.webhookDelivery.findMany();
      assert.ok(deliveries.some((d) => !d.ok && d.statusCode === 500) && deliveries.some((d) => d.ok));
      // The webhook goes out when the limit is hit; the socket may still be closing then.
      await waitForState(id, 'closed');
      const row = (await api('GET', '/api/sessions')).body.find((s: Json) => s.id === id);
      assert.equal(row.status, 'closed');
      assert.equal(row.lastCloseReason, 'Bad MAC limit reached (3/3)');
      assert.equal(row.health, 'closed');
    });

    await t.test('restart, close with reason, close again, start; 404s and 400s', async () => {
      const restarted = await api('POST', `/api/sessions/${id}/restart`);
      assert.deepEqual(restarted, { status: 200, body: { success: true, message: 'Session restarted' } });
      const closed = await api('POST', `/api/sessions/${id}/close`, { reason: 'Switching devices' });
      assert.equal(closed.status, 200);
      assert.equal(closed.body.success, true);
      assert.equal(closed.body.message, 'Session closed');
      const again = await api('POST', `/api/sessions/${id}/close`, {});
      assert.deepEqual(again.body, { success: true, message: 'Session was already closed', alreadyClosed: true });
      const row = (await api('GET', `/api/sessions/${id}`)).body;
      assert.equal(row.lastCloseReason, 'Switching devices');
      assert.ok(row.events.some((e: Json) => e.type === 'decrypt:bad-mac' && e.sender === '15550001111@s.whatsapp.net'));
      assert.equal((await api('POST', `/api/sessions/${id}/start`)).status, 200);
      assert.deepEqual(await api('POST', '/api/sessions/424242/restart'), { status: 404, body: { error: 'Phone not found', code: 'not_found' } });
      assert.equal((await api('POST', '/api/sessions/424242/close')).status, 404);
      assert.equal((await api('GET', '/api/sessions/424242/stats')).status, 404);
      assert.equal((await api('GET', '/api/sessions/abc/stats')).status, 400);
      assert.equal((await api('GET', '/api/sessions/0/stats')).status, 400);
      assert.equal((await api('GET', '/api/sessions/99999999999/stats')).status, 400);
      assert.equal((await api('POST', `/api/sessions/${id}/close`, { reason: 42 })).status, 400);
      assert.equal((await api('POST', '/api/sessions', { organizationName: 'Acme', phone: '12' })).status, 400);
      const events = await api('GET', `/api/sessions/${id}/events?limit=2`);
      assert.equal(events.body.items.length, 2);
      assert.equal(typeof events.body.nextCursor, 'number');
      const page2 = await api('GET', `/api/sessions/${id}/events?limit=2&before=${events.body.nextCursor}`);
      assert.ok(page2.body.items[0].id < events.body.items[1].id + 1);
    });

    await t.test('cookie auth works for admins; the audit log names who did what', async () => {
      const cookie = await server.login();
      const res = await api('POST', `/api/sessions/${id}/close`, { reason: 'From the browser' }, { cookie, origin: url });
      assert.equal(res.status, 200);
      const audit = await api('GET', `/api/audit?targetType=phone&targetId=${id}`);
      const actions = audit.body.items.map((a: Json) => `${a.action}:${a.actorName}:${a.result}`);
      assert.ok(actions.includes(`session.close:${server.adminEmail}:ok`));
      assert.ok(actions.some((a: string) => a.startsWith('session.restart:test-admin')));
      assert.equal(audit.body.items.find((a: Json) => a.actorName === server.adminEmail).reason, 'From the browser');
      assert.equal((await api('POST', `/api/sessions/${id}/close`, {}, { authorization: `Bearer ${readToken}` })).status, 403);
    });

    await t.test('event streams release their listeners when clients disconnect', async () => {
      const gauge = async (name: string) => {
        const text = await (await fetch(`${url}/api/metrics`, { headers: auth })).text();
        return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
      };
      const baseListeners = await gauge('wa_console_engine_listeners');
      const baseClients = await gauge('wa_console_sse_clients');
      const controllers = Array.from({ length: 5 }, () => new AbortController());
      const readers = await Promise.all(
        controllers.map(async (c) => {
          const res = await fetch(`${url}/api/sessions/stream`, { headers: auth, signal: c.signal });
          const reader = res.body!.getReader();
          await reader.read(); // the hello event: the subscription is in place
          return reader;
        }),
      );
      assert.equal(await gauge('wa_console_sse_clients'), baseClients + 5);
      assert.equal(await gauge('wa_console_engine_listeners'), baseListeners + 5);
      for (const c of controllers) c.abort();
      await Promise.all(readers.map((r) => r.cancel().catch(() => {})));
      // The server notices each disconnect; wait until every subscription is gone.
      const deadline = Date.now() + 10_000;
      while ((await gauge('wa_console_engine_listeners')) !== baseListeners && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await gauge('wa_console_engine_listeners'), baseListeners);
      assert.equal(await gauge('wa_console_sse_clients'), baseClients);
    });

    await t.test('metrics and OpenAPI', async () => {
      const metrics = await fetch(`${url}/api/metrics`, { headers: auth });
      const text = await metrics.text();
      assert.match(text, /wa_decrypt_failures_total\{kind="bad_mac"\} 3/);
      assert.match(text, /wa_session_auto_closes_total 1/);
      assert.match(text, /wa_session_restarts_total [1-9]/);
      assert.match(text, /wa_webhook_failures_total 1/);
      assert.match(text, new RegExp(`wa_session_connected\\{phone_id="${id}"`));
      const doc = await api('GET', '/api/openapi.json');
      assert.equal(doc.body.openapi, '3.1.0');
      assert.ok(doc.body.paths['/api/sessions/{id}/restart'].post);
      assert.ok(doc.body.components.schemas.Session.properties.stats);
    });

    await t.test('pairing by phone number: a code instead of a QR', async () => {
      const codeJid = provider === 'sqlite' ? '77051230011@s.whatsapp.net' : '77051230012@s.whatsapp.net';
      let phoneId = 0;
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'qr' && data.phoneId === phoneId, 15_000, async () => {
        const created = await api('POST', '/api/sessions', { organizationName: 'Acme', phone: codeJid.split('@')[0] });
        assert.equal(created.status, 201);
        phoneId = created.body.id;
      });
      const viaRead = await api('POST', `/api/sessions/${phoneId}/pairing-code`, undefined, { authorization: `Bearer ${readToken}` });
      assert.equal(viaRead.status, 403);
      let code = '';
      const streamed = sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'pairing-code' && data.phoneId === phoneId, 10_000, async () => {
        const res = await api('POST', `/api/sessions/${phoneId}/pairing-code`);
        assert.equal(res.status, 200);
        assert.match(res.body.pairingCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
        assert.equal(res.body.phoneJid, codeJid);
        code = res.body.pairingCode;
      });
      assert.equal((await streamed).data.pairingCode, code, 'the stream carries the code too');
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'state' && data.phoneId === phoneId && data.state === 'open', 20_000, async () => {
        await sim.enterCode(codeJid, code);
      });
      const again = await api('POST', `/api/sessions/${phoneId}/pairing-code`);
      assert.equal(again.status, 409, 'a linked phone needs no code');
      assert.equal(again.body.code, 'conflict');
      assert.equal((await api('POST', '/api/sessions/999999/pairing-code')).status, 404);
      const audit = await api('GET', `/api/audit?targetType=phone&targetId=${phoneId}`);
      assert.ok(audit.body.items.some((a: Json) => a.action === 'session.pairing-code' && a.result === 'ok'));
    });

    await t.test('delete logs out and removes the phone but keeps the audit', async () => {
      const del = await api('DELETE', `/api/sessions/${id}`);
      assert.equal(del.status, 200);
      assert.equal((await api('GET', `/api/sessions/${id}`)).status, 404);
      assert.equal(await server.db.authCreds.count({ where: { phoneId: id } }), 0);
      assert.ok((await server.db.auditLog.count({ where: { targetType: 'phone', targetId: String(id) } })) > 3);
    });
  });
}
