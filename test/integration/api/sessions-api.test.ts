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
import { eventually } from '../../support/eventually';

for (const provider of testProviders()) {
  test(`${provider}: sessions API over HTTP`, async (t) => {
    // Registered first, so each part is closed even when a later one fails to start (a console that
    // never came up would otherwise leave the simulator listening and this file's process alive).
    const parts: { server?: ConsoleServer; sim?: Simulator; hook?: Awaited<ReturnType<typeof startWebhookReceiver>> } = {};
    t.after(async () => {
      await parts.server?.stop();
      await parts.sim?.close();
      await parts.hook?.close();
    });
    const sim: Simulator = (parts.sim = await startSimulator({ port: 0 }));
    const hook = (parts.hook = await startWebhookReceiver());
    const secret = crypto.randomBytes(8).toString('hex');
    const nodeId = `it_${crypto.randomBytes(4).toString('hex')}`;
    const server: ConsoleServer = (parts.server = await startConsole({
      provider,
      env: { WA_WEBSOCKET_URL: sim.url, ERROR_WEBHOOK_URL: hook.url, ERROR_WEBHOOK_SECRET: secret, WEBHOOK_RETRY_BASE_MS: '50', RECONNECT_BASE_MS: '200', SSE_HEARTBEAT_MS: '500', NODE_ID: nodeId, NODE_CAPACITY: '500' },
    }));
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
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'state' && data.phoneId === phoneId && data.state === state, 60_000, async () => {
        return (await api('GET', `/api/sessions/${phoneId}`)).body.status === state;
      });
    };
    /** A counter or gauge from /api/metrics: the series named `name` whose labels include `label` (0 when absent). */
    const metric = async (name: string, label = '') => {
      const text = await (await fetch(`${url}/api/metrics`, { headers: auth })).text();
      const line = text.split('\n').find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(label));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    const jid = provider === 'sqlite' ? '77051230001@s.whatsapp.net' : '77051230002@s.whatsapp.net';
    let id = 0;

    await t.test('add a phone → pairing QR → scan → open', async () => {
      // The stream is open before the POST: a QR that comes at once is not missed.
      let created: { status: number; body: Json } = { status: 0, body: {} };
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'qr' && data.phoneId === id, 60_000, async () => {
        created = await api('POST', '/api/sessions', { organizationName: 'Acme', phone: '+' + jid.split('@')[0], label: 'Support line' });
        id = Number(created.body.id);
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.phoneJid, jid);
      const qr = await api('GET', `/api/sessions/${id}/qr`);
      assert.equal(qr.status, 200);
      assert.match(String(qr.body.svg), /^<svg/);
      await sim.scan(jid, String(qr.body.qr));
      await waitForState(id, 'open');
      const dup = await api('POST', '/api/sessions', { organizationName: 'Acme', phone: jid.split('@')[0] });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.code, 'already_registered');
      const noQr = await api('GET', `/api/sessions/${id}/qr`);
      assert.equal(noQr.status, 409, 'no QR once paired');
      assert.equal(noQr.body.code, 'not_pairing');
    });

    await t.test('the node that runs the phone: GET /api/nodes and the list\'s node (issue 27.9)', async () => {
      const viewer = await server.createViewer();
      const asViewer: Record<string, string> = { cookie: await server.login(viewer.email, viewer.password) };
      for (const headers of [{ authorization: `Bearer ${readToken}` }, asViewer]) {
        const nodes = await api('GET', '/api/nodes', undefined, headers);
        assert.equal(nodes.status, 200);
        // One console on its own database: a fleet of one, whichever the database.
        assert.equal(nodes.body.nodes.length, 1);
        const [node] = nodes.body.nodes as Json[];
        assert.deepEqual({ id: node.id, self: node.self, state: node.state, capacity: node.capacity }, { id: nodeId, self: true, state: 'live', capacity: 500 });
        assert.ok(Number(node.phones) >= 1, `the open phone is counted: ${node.phones}`);
        assert.ok(Number(node.leaseEndsInMs) > 0 && Number(node.leaseEndsInMs) <= nodes.body.leaseTtlMs, `lease ends in ${node.leaseEndsInMs}`);
        assert.ok(Number(node.leaseAgeMs) >= 0 && Number(node.leaseAgeMs) <= nodes.body.leaseTtlMs, `lease renewed ${node.leaseAgeMs} ms ago`);
      }
      assert.equal((await fetch(`${url}/api/nodes`)).status, 401, 'no credential');
      const phone = await api('GET', `/api/sessions/${id}`);
      assert.deepEqual([phone.body.node, phone.body.ownerLeaseEndsAt], [nodeId, null], 'runs here; no countdown (its owner is live)');
    });

    await t.test("the seed's shapes, field by field", async () => {
      const list = await api('GET', '/api/sessions');
      assert.equal(list.status, 200);
      const row = list.body.find((s: Json) => s.id === id);
      // The exact item shape: these keys and no others, each with its type.
      // The seed's keys, then the health fields this console adds (docs/health.md).
      assert.deepEqual(Object.keys(row).sort(), ['belowObjective', 'health', 'healthReason', 'id', 'isActive', 'label', 'lastClose', 'lastCloseReason', 'lastConnectedAt', 'organizationId', 'organizationName', 'phoneJid', 'proxyHost', 'proxyUrl', 'stats', 'status', 'uptime7d', 'engine', 'lid', 'waVersion', 'node', 'ownerLeaseEndsAt', 'accountSignals'].sort());
      const { uptime7d, ...typed } = row as Json;
      assert.deepEqual(
        Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, v === null ? 'null' : typeof v])),
        { id: 'number', organizationId: 'number', organizationName: 'string', phoneJid: 'string', label: 'string', status: 'string', lastConnectedAt: 'string', lastCloseReason: 'null', lastClose: 'null', stats: 'object', isActive: 'boolean', health: 'string', healthReason: 'null', accountSignals: 'object', belowObjective: 'boolean', proxyUrl: 'null', proxyHost: 'null', engine: 'string', lid: 'string', waVersion: 'string', node: 'string', ownerLeaseEndsAt: 'null' },
      );
      assert.ok(uptime7d === null || (typeof uptime7d === 'number' && uptime7d >= 0 && uptime7d <= 1), `uptime7d is null (not measured yet) or a fraction: ${uptime7d}`);
      assert.ok(Number.isInteger(row.id) && Number.isInteger(row.organizationId));
      assert.equal(row.organizationName, 'Acme');
      assert.equal(row.label, 'Support line');
      assert.equal(row.engine, 'baileys-6', 'DEFAULT_ENGINE');
      assert.match(row.lid, /@lid$/, 'the LID WhatsApp announced at login');
      assert.match(row.waVersion, /^2\.3000\.\d+$/, 'the WhatsApp Web version its socket announced');
      for (const item of list.body as Json[]) {
        assert.deepEqual(Object.keys(item).sort(), Object.keys(row).sort(), `item ${item.id} has the same keys`);
        assert.deepEqual(Object.keys(item.stats as Json).sort(), ['badDecryptErrors', 'badMacErrors', 'isHealthy', 'maxBadDecryptErrors', 'maxBadMacErrors']);
      }
      assert.equal(row.phoneJid, jid);
      assert.equal(row.status, 'open');
      assert.equal(row.isActive, true);
      assert.equal(row.health, 'healthy');
      assert.deepEqual(row.accountSignals, { reachout: null, capping: null }, 'WhatsApp said nothing of its standing (docs/health.md)');
      assert.ok(!Number.isNaN(Date.parse(row.lastConnectedAt)));
      assert.deepEqual(row.stats, { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
      assert.deepEqual((await api('GET', '/api/sessions?status=closed')).body.filter((s: Json) => s.id === id), []);
      assert.equal((await api('GET', `/api/sessions?organizationId=${row.organizationId}`)).body.length, 1);
      assert.equal((await api('GET', '/api/sessions?status=bogus')).status, 400);
      const stats = await api('GET', `/api/sessions/${id}/stats`, undefined, { authorization: `Bearer ${readToken}` });
      // The seed's fields, unchanged; issue 24 adds a `traffic` object beside them.
      const { traffic, ...seedStats } = stats.body as Json;
      assert.deepEqual(seedStats, { phoneId: id, isConnected: true, badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
      assert.deepEqual(Object.keys(traffic as Json).sort(), ['ackLatencyMs', 'failuresByCode', 'inPerMinute', 'lastReceivedAt', 'outPerMinute']);
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

    await t.test('faults: webhook at counts 2 and 3 (none at 1) with the seed payload and signature; the stream carries each fault', async () => {
      const before = {
        badMac: await metric('wa_decrypt_failures_total', 'kind="bad_mac"'),
        autoCloses: await metric('wa_session_auto_closes_total'),
        webhookFailures: await metric('wa_webhook_failures_total'),
      };
      const sse = sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'decrypt-failure' && data.phoneId === id && data.count === 1, 60_000, async () => {
        t.diagnostic('stream open; injecting');
        sentAt = Date.now();
        await sim.inject(jid, { type: 'bad-mac' });
      });
      let sentAt = 0;
      const got = (await sse)!;
      t.diagnostic(`fault → SSE event in ${got.at - sentAt} ms`);
      assert.equal(got.data.kind, 'bad-mac');
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
      // Count 1 of 3 sends no warning. Checked now, long after a warning for it would have been
      // delivered (it would have gone out before the ones for counts 2 and 3): exactly these came.
      assert.deepEqual(
        hook.received.filter((r) => r.json.type === 'session_error_warning' && r.json.phoneId === id).map((r) => r.json.currentCount),
        [2, 2, 3],
        'warnings at 2 (refused with 500, then retried) and 3 only',
      );
      const deliveries = await server.db.webhookDelivery.findMany();
      assert.ok(deliveries.some((d) => !d.ok && d.statusCode === 500) && deliveries.some((d) => d.ok));
      // The webhook goes out when the limit is hit; the socket may still be closing then.
      await waitForState(id, 'closed');
      const row = (await api('GET', '/api/sessions')).body.find((s: Json) => s.id === id);
      assert.equal(row.status, 'closed');
      assert.equal(row.lastCloseReason, 'Bad MAC limit reached (3/3)');
      assert.deepEqual({ code: row.lastClose?.code, params: row.lastClose?.params }, { code: 'auto_closed', params: { errorType: 'Bad MAC', count: 3, max: 3 } }, 'the structured reason beside the English one');
      assert.equal(row.health, 'closed');
      // Metrics moved by exactly what this subtest did.
      assert.equal(await metric('wa_decrypt_failures_total', 'kind="bad_mac"'), before.badMac + 3);
      assert.equal(await metric('wa_session_auto_closes_total'), before.autoCloses + 1);
      assert.equal(await metric('wa_webhook_failures_total'), before.webhookFailures + 1);
    });

    await t.test('restart, close with reason, close again, start; 404s and 400s', async () => {
      const restartsBefore = await metric('wa_session_restarts_total');
      const restarted = await api('POST', `/api/sessions/${id}/restart`);
      assert.deepEqual(restarted, { status: 200, body: { success: true, message: 'Session restarted' } });
      await waitForState(id, 'open');
      assert.equal(await metric('wa_session_restarts_total'), restartsBefore + 1);
      const closed = await api('POST', `/api/sessions/${id}/close`, { reason: 'Switching devices' });
      assert.equal(closed.status, 200);
      assert.equal(closed.body.success, true);
      assert.equal(closed.body.message, 'Session closed');
      const again = await api('POST', `/api/sessions/${id}/close`, {});
      assert.deepEqual(again.body, { success: true, message: 'Session was already closed', alreadyClosed: true });
      const row = (await api('GET', `/api/sessions/${id}`)).body;
      assert.equal(row.lastCloseReason, 'Switching devices');
      assert.deepEqual({ code: row.lastClose?.code, params: row.lastClose?.params }, { code: 'manual', params: { text: 'Switching devices' } });
      assert.ok(row.events.some((e: Json) => e.type === 'decrypt:bad-mac' && e.sender === '15550001111@s.whatsapp.net'));
      assert.equal((await api('POST', `/api/sessions/${id}/start`)).status, 200);
      await waitForState(id, 'open');
      assert.equal(sim.phones().find((p) => p.phoneJid === jid)?.connections, 1, 'started: one live connection');
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
      const page1Ids = (events.body.items as Json[]).map((e) => e.id as number);
      assert.ok(page1Ids[0] > page1Ids[1], 'newest first');
      const page2 = await api('GET', `/api/sessions/${id}/events?limit=2&before=${events.body.nextCursor}`);
      const page2Ids = (page2.body.items as Json[]).map((e) => e.id as number);
      assert.equal(page2Ids.length, 2);
      assert.ok(page2Ids.every((e) => e < Math.min(...page1Ids)), `page 2 ${page2Ids} continues after page 1 ${page1Ids} without repeating`);
      assert.ok(page2Ids[0] > page2Ids[1]);
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
      await eventually('every stream subscription gone', async () => (await gauge('wa_console_engine_listeners')) === baseListeners).catch(() => {});
      assert.equal(await gauge('wa_console_engine_listeners'), baseListeners);
      assert.equal(await gauge('wa_console_sse_clients'), baseClients);
    });

    await t.test('metrics and OpenAPI', async () => {
      const metrics = await fetch(`${url}/api/metrics`, { headers: auth });
      const text = await metrics.text();
      assert.equal(metrics.status, 200);
      for (const name of ['wa_decrypt_failures_total', 'wa_session_auto_closes_total', 'wa_session_restarts_total', 'wa_webhook_failures_total', 'wa_session_connected']) {
        assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'), name);
      }
      // The cookie-closed phone reads 0 connected.
      assert.equal(await metric('wa_session_connected', `phone_id="${id}"`), 0);
      const doc = await api('GET', '/api/openapi.json');
      assert.equal(doc.body.openapi, '3.1.0');
      assert.ok(doc.body.paths['/api/sessions/{id}/restart'].post);
      assert.ok(doc.body.components.schemas.Session.properties.stats);
    });

    const codeJid = provider === 'sqlite' ? '77051230011@s.whatsapp.net' : '77051230012@s.whatsapp.net';
    let phoneId = 0;
    await t.test('pairing by phone number: a code instead of a QR', async () => {
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'qr' && data.phoneId === phoneId, 60_000, async () => {
        const created = await api('POST', '/api/sessions', { organizationName: 'Acme', phone: codeJid.split('@')[0] });
        assert.equal(created.status, 201);
        phoneId = created.body.id;
      });
      const viaRead = await api('POST', `/api/sessions/${phoneId}/pairing-code`, undefined, { authorization: `Bearer ${readToken}` });
      assert.equal(viaRead.status, 403);
      let code = '';
      const streamed = sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'pairing-code' && data.phoneId === phoneId, 60_000, async () => {
        const res = await api('POST', `/api/sessions/${phoneId}/pairing-code`);
        assert.equal(res.status, 200);
        assert.match(res.body.pairingCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
        assert.equal(res.body.phoneJid, codeJid);
        code = res.body.pairingCode;
      });
      assert.equal((await streamed)!.data.pairingCode, code, 'the stream carries the code too');
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'state' && data.phoneId === phoneId && data.state === 'open', 60_000, async () => {
        await sim.enterCode(codeJid, code);
      });
      const again = await api('POST', `/api/sessions/${phoneId}/pairing-code`);
      assert.equal(again.status, 409, 'a linked phone needs no code');
      assert.equal(again.body.code, 'not_pairing');
      assert.equal((await api('POST', '/api/sessions/999999/pairing-code')).status, 404);
      const audit = await api('GET', `/api/audit?targetType=phone&targetId=${phoneId}`);
      assert.ok(audit.body.items.some((a: Json) => a.action === 'session.pairing-code' && a.result === 'ok'));
    });

    await t.test('Bad Decrypt: a warning at 4 of 5 (none before); a manual close resets the counters', async () => {
      await sim.inject(codeJid, { type: 'bad-decrypt', count: 4 });
      const w4 = await hook.waitFor((r) => r.json.type === 'session_error_warning' && r.json.phoneId === phoneId, 60_000);
      assert.deepEqual({ ...w4.json, timestamp: undefined }, { type: 'session_error_warning', phoneId, errorType: 'Bad Decrypt', currentCount: 4, maxAllowed: 5, severity: 'critical', timestamp: undefined });
      assert.equal(w4.headers['x-webhook-signature'], 'sha256=' + crypto.createHmac('sha256', secret).update(w4.body).digest('hex'));
      const stats = await api('GET', `/api/sessions/${phoneId}/stats`);
      const { traffic: _traffic, ...seedStats } = stats.body as Json;
      assert.deepEqual(seedStats, { phoneId, isConnected: true, badMacErrors: 0, badDecryptErrors: 4, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
      // The counters are per connection: a manual close starts them again from zero.
      const closed = await api('POST', `/api/sessions/${phoneId}/close`, { reason: 'Resetting' });
      assert.equal(closed.status, 200);
      const afterClose = await api('GET', `/api/sessions/${phoneId}/stats`);
      const { traffic: _afterTraffic, ...afterSeed } = afterClose.body as Json;
      assert.deepEqual(afterSeed, { phoneId, isConnected: false, badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
      assert.equal((await api('POST', `/api/sessions/${phoneId}/start`)).status, 200);
      await waitForState(phoneId, 'open');
      assert.equal((await api('GET', `/api/sessions/${phoneId}/stats`)).body.badDecryptErrors, 0);
      // One more fault counts from 1 again (no warning); counts 1 to 3 never sent one.
      await sim.inject(codeJid, { type: 'bad-decrypt' });
      await sseUntil(`${url}/api/sessions/stream`, auth, (ev, data) => ev === 'stats' && data.phoneId === phoneId && (data.stats as Json).badDecryptErrors === 1, 60_000, async () => {
        return (await api('GET', `/api/sessions/${phoneId}/stats`)).body.badDecryptErrors === 1;
      });
      assert.deepEqual(hook.received.filter((r) => r.json.type === 'session_error_warning' && r.json.phoneId === phoneId).map((r) => r.json.currentCount), [4]);
    });

    await t.test('the engine: chosen when the phone is added, shown, changed with PATCH; unknown ones refused', async () => {
      const added = await api('POST', '/api/sessions', { organizationName: 'Engines', phone: provider === 'sqlite' ? '77051239001' : '77051239002', start: false, engine: 'baileys-7' });
      assert.equal(added.status, 201);
      assert.equal(added.body.engine, 'baileys-7');
      const engineId = Number(added.body.id);
      assert.equal((await api('GET', `/api/sessions?organizationId=${added.body.organizationId}`)).body[0].engine, 'baileys-7');
      const moved = await api('PATCH', `/api/sessions/${engineId}`, { engine: 'baileys-6' });
      assert.equal(moved.status, 200);
      assert.deepEqual([moved.body.engine, moved.body.restarted], ['baileys-6', false], 'a phone that is not running is not restarted');
      assert.equal((await api('GET', `/api/sessions/${engineId}`)).body.engine, 'baileys-6');
      assert.equal((await server.db.organizationPhone.findUniqueOrThrow({ where: { id: engineId } })).engine, 'baileys-6');
      for (const bad of [{ engine: 'baileys-8' }, { engine: null }]) assert.equal((await api('PATCH', `/api/sessions/${engineId}`, bad)).status, 400);
      assert.equal((await api('POST', '/api/sessions', { organizationName: 'Engines', phone: '77051239009', engine: 'whatsmeow' })).status, 400);
      assert.equal((await api('DELETE', `/api/sessions/${engineId}`)).status, 200);
    });

    await t.test('delete of an open phone logs it out at WhatsApp and removes it, but keeps the audit', async () => {
      assert.equal((await api('GET', `/api/sessions/${phoneId}`)).body.status, 'open', 'the phone is open before the delete');
      const since = sim.events().at(-1)?.seq ?? 0;
      const del = await api('DELETE', `/api/sessions/${phoneId}`);
      assert.equal(del.status, 200);
      assert.equal((await api('GET', `/api/sessions/${phoneId}`)).status, 404);
      // Baileys' logout is the companion-removal query: it reached the simulator.
      assert.ok(
        sim.events(since).some((e) => e.phoneJid === codeJid && e.type === 'logout' && (e.detail as { jid?: string }).jid?.startsWith(codeJid.split('@')[0] + ':')),
        `logout request at the simulator; got ${JSON.stringify(sim.events(since).filter((e) => e.phoneJid === codeJid))}`,
      );
      // The simulator notices the closed socket a moment after the client closed it.
      await eventually('the simulator to see the socket closed', () => sim.phones().find((p) => p.phoneJid === codeJid)?.connections === 0, undefined, 50).catch(() => {});
      assert.equal(sim.phones().find((p) => p.phoneJid === codeJid)?.connections, 0, 'no connection left');
      assert.equal(await server.db.authCreds.count({ where: { phoneId } }), 0);
      assert.equal(await server.db.authKey.count({ where: { phoneId } }), 0);
      const audit = await server.db.auditLog.findMany({ where: { targetType: 'phone', targetId: String(phoneId) } });
      assert.ok(audit.some((a) => a.action === 'session.delete' && a.result === 'ok'));
      assert.ok(audit.length >= 4, 'the earlier entries are kept');
      // A closed phone is deleted too (no logout needed).
      assert.equal((await api('DELETE', `/api/sessions/${id}`)).status, 200);
      assert.equal((await api('GET', `/api/sessions/${id}`)).status, 404);
    });

    // Last: the console restarts (a new port), which the helpers above do not follow.
    await t.test('baileys-7 over HTTP (issue 25): a capped phone stays capped across a console restart; a ban sends session_closed with code banned and never reconnects', async () => {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(server.url + path, { method, headers: { 'content-type': 'application/json', ...auth }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as Json };
      };
      const until = async (what: string, pred: (b: Json) => boolean, phoneId: number) => {
        let last: Json = {};
        await eventually(what, async () => pred((last = (await call('GET', `/api/sessions/${phoneId}`)).body)), 60_000, 100).catch(() => {
          throw new Error(`${what}: ${JSON.stringify(last)}`);
        });
        return last;
      };
      const sevenJid = provider === 'sqlite' ? '77051238001@s.whatsapp.net' : '77051238002@s.whatsapp.net';
      const added = await call('POST', '/api/sessions', { organizationName: 'Signals', phone: sevenJid.split('@')[0], engine: 'baileys-7' });
      assert.equal(added.status, 201);
      const sevenId = Number(added.body.id);
      await until('a QR', (b) => b.status === 'qr', sevenId);
      await sim.scan(sevenJid, String((await call('GET', `/api/sessions/${sevenId}/qr`)).body.qr));
      await until('open', (b) => b.status === 'open', sevenId);

      await sim.inject(sevenJid, { type: 'message-capping', capping: 'CAPPED' });
      let body = await until('capped', (b) => b.healthReason === 'message-capped', sevenId);
      assert.equal(body.health, 'critical');
      assert.equal((body.accountSignals as Json).capping && ((body.accountSignals as Json).capping as Json).status, 'CAPPED');
      assert.deepEqual(Object.keys(body.stats as Json).sort(), ['badDecryptErrors', 'badMacErrors', 'isHealthy', 'maxBadDecryptErrors', 'maxBadMacErrors'], "the seed's stats shape");

      await server.restart();
      body = await until('open again after the restart', (b) => b.status === 'open', sevenId);
      assert.deepEqual([body.health, body.healthReason], ['critical', 'message-capped'], 'still capped after the restart (WhatsApp did not repeat it)');
      assert.equal(((body.accountSignals as Json).capping as Json).status, 'CAPPED');

      const since = hook.received.length;
      await sim.inject(sevenJid, { type: 'stream-error', code: 402 });
      const closed = await hook.waitFor((r) => hook.received.indexOf(r) >= since && r.json.type === 'session_closed' && r.json.phoneId === sevenId);
      assert.equal(closed.json.code, 'banned');
      body = await until('closed', (b) => b.status === 'closed', sevenId);
      assert.deepEqual([body.health, body.healthReason, (body.lastClose as Json).code], ['critical', 'banned', 'banned']);
      // Counted by its code (a bounded label: the catalogue's codes); the restarted process counts from 0.
      const metrics = await (await fetch(`${server.url}/api/metrics`, { headers: auth })).text();
      const banned = metrics.split('\n').find((l) => l.startsWith('wa_session_closes_total{') && l.includes('code="banned"'));
      assert.equal(Number(banned?.slice(banned.lastIndexOf(' ') + 1)), 1, `wa_session_closes_total{code="banned"}: ${banned}`);
      await new Promise((r) => setTimeout(r, 1500)); // RECONNECT_BASE_MS is 200: a reconnect would have come
      assert.equal((await call('GET', `/api/sessions/${sevenId}`)).body.status, 'closed', 'a banned phone does not reconnect by itself');
      assert.equal(sim.phones().find((p) => p.phoneJid === sevenJid)?.connections ?? 0, 0, 'no connection at the simulator');
    });
  });
}
