// The OpenAPI document is a contract: every documented operation, called against a real console
// (next start + the simulator), answers with a status, media type and body that the document
// describes (validated with ajv, JSON Schema 2020-12). The document itself (every route in it,
// the third-party tools' verdicts) is checked in test/unit/api/openapi-document.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../simulator';
import { startConsole } from '../../support/console-server';
import { openApiValidator } from '../../support/openapi-validator';
import { sseUntil } from '../../support/sse';
import { eventually } from '../../support/eventually';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import { Webhook } from 'standardwebhooks';
import { simMessaging } from '../../support/sim-messaging';
import { createToken } from '../../../lib/auth/tokens';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e2b3f40000000049454e44ae426082', 'hex');

type Json = Record<string, unknown>;

test('contract: every documented operation against a real console, success and error answers', { timeout: 180_000 }, async (t) => {
  const sim = await startSimulator({ port: 0 });
  const hook = await startWebhookReceiver();
  const publicUrl = 'https://wa-console.example.test/';
  const server = await startConsole({ env: { WA_WEBSOCKET_URL: sim.url, SIMULATOR_URL: sim.controlUrl, NEXTAUTH_URL: publicUrl, RECONNECT_BASE_MS: '200', API_BODY_LIMIT: '2048' } });
  t.after(async () => {
    await server.stop();
    await sim.close();
    await hook.close();
  });
  const admin = { authorization: `Bearer ${await server.createToken('admin')}` };
  const reader = { authorization: `Bearer ${await server.createToken('read')}` };
  const doc = (await (await fetch(`${server.url}/api/openapi.json`, { headers: admin })).json()) as Json;
  assert.equal((doc.servers as Json[])[0].url, 'https://wa-console.example.test', 'servers[0].url is NEXTAUTH_URL');
  const v = openApiValidator(doc);

  /** Calls `method path` and validates the answer against `template`'s operation. */
  const call = async (method: string, template: string, opts: { path?: string; body?: unknown; raw?: string; headers?: Record<string, string>; stream?: boolean } = {}) => {
    const res = await fetch(server.url + (opts.path ?? template), {
      method,
      headers: { 'content-type': 'application/json', ...(opts.headers ?? admin) },
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    }).catch((err: Error) => {
      throw new Error(`${method} ${opts.path ?? template}: ${err.message} (${String((err.cause as Error | undefined)?.message)})`);
    });
    return v.check(method, template, res, { stream: opts.stream });
  };
  const expectStatus = async (status: number, method: string, template: string, opts: Parameters<typeof call>[2] = {}) => {
    const r = await call(method, template, opts);
    assert.equal(r.status, status, `${method} ${opts.path ?? template}: ${r.text.slice(0, 300)}`);
    return r.body as Json;
  };

  const phone = '77051239001';
  const jid = `${phone}@s.whatsapp.net`;
  let id = 0;

  await t.test('sessions: add, QR, pairing code, pair, read, change, delete', async () => {
    await expectStatus(200, 'GET', '/api/sessions');
    await expectStatus(200, 'GET', '/api/sessions', { path: '/api/sessions?status=open&health=healthy' });
    await expectStatus(400, 'GET', '/api/sessions', { path: '/api/sessions?status=bogus' });
    await expectStatus(401, 'GET', '/api/sessions', { headers: {} });
    await expectStatus(400, 'POST', '/api/sessions', { body: { phone: 'abc' } });
    await expectStatus(404, 'POST', '/api/sessions', { body: { organizationId: 999999, phone } });
    await expectStatus(403, 'POST', '/api/sessions', { body: { organizationName: 'Contract', phone }, headers: reader });
    await expectStatus(413, 'POST', '/api/sessions', { raw: JSON.stringify({ organizationName: 'x'.repeat(4000), phone }) });
    await expectStatus(400, 'POST', '/api/sessions', { raw: '{not json' });
    const created = await expectStatus(201, 'POST', '/api/sessions', { body: { organizationName: 'Contract', phone, label: 'Contract line' } });
    id = Number(created.id);
    await expectStatus(409, 'POST', '/api/sessions', { body: { organizationName: 'Contract', phone } });
    // Wait for the QR (the stream says when), then read it and ask for a pairing code.
    await sseUntil(`${server.url}/api/sessions/stream`, admin, (ev, data) => ev === 'qr' && data.phoneId === id, 30_000, async () => {
      const qr = await fetch(`${server.url}/api/sessions/${id}/qr`, { headers: admin });
      await qr.arrayBuffer();
      return qr.status === 200;
    });
    await expectStatus(200, 'GET', '/api/sessions/{id}/qr', { path: `/api/sessions/${id}/qr` });
    await expectStatus(403, 'GET', '/api/sessions/{id}/qr', { path: `/api/sessions/${id}/qr`, headers: reader });
    const code = await expectStatus(200, 'POST', '/api/sessions/{id}/pairing-code', { path: `/api/sessions/${id}/pairing-code` });
    await expectStatus(403, 'POST', '/api/sessions/{id}/pairing-code', { path: `/api/sessions/${id}/pairing-code`, headers: reader });
    await expectStatus(404, 'POST', '/api/sessions/{id}/pairing-code', { path: '/api/sessions/999999/pairing-code' });
    assert.match(String(code.pairingCode), /^[0-9A-Z]{4}-?[0-9A-Z]{4}$/);
    // Demo mode: the simulated phone types the code the session asked for (the server reads it).
    await expectStatus(403, 'POST', '/api/demo/sessions/{id}/pairing-code', { path: `/api/demo/sessions/${id}/pairing-code`, headers: reader });
    await expectStatus(404, 'POST', '/api/demo/sessions/{id}/pairing-code', { path: '/api/demo/sessions/999999/pairing-code' });
    const linked = await expectStatus(200, 'POST', '/api/demo/sessions/{id}/pairing-code', { path: `/api/demo/sessions/${id}/pairing-code` });
    assert.match(String(linked.deviceJid), new RegExp(`^${phone}:\\d+@s\\.whatsapp\\.net$`));
    await sseUntil(`${server.url}/api/sessions/stream`, admin, (ev, data) => ev === 'state' && data.phoneId === id && data.state === 'open', 30_000, async () => {
      const s = (await (await fetch(`${server.url}/api/sessions/${id}`, { headers: admin })).json()) as Json;
      return s.status === 'open';
    });
    await expectStatus(409, 'GET', '/api/sessions/{id}/qr', { path: `/api/sessions/${id}/qr` });
    await expectStatus(409, 'POST', '/api/sessions/{id}/pairing-code', { path: `/api/sessions/${id}/pairing-code` });
    await expectStatus(409, 'POST', '/api/demo/sessions/{id}/pairing-code', { path: `/api/demo/sessions/${id}/pairing-code` });
    await expectStatus(409, 'POST', '/api/demo/sessions/{id}/scan', { path: `/api/demo/sessions/${id}/scan` });
    await expectStatus(404, 'GET', '/api/sessions/{id}/qr', { path: '/api/sessions/999999/qr' });
    await expectStatus(400, 'GET', '/api/sessions/{id}/qr', { path: '/api/sessions/abc/qr' });

    const detail = await expectStatus(200, 'GET', '/api/sessions/{id}', { path: `/api/sessions/${id}`, headers: reader });
    assert.equal(detail.status, 'open');
    await expectStatus(404, 'GET', '/api/sessions/{id}', { path: '/api/sessions/999999' });
    await expectStatus(400, 'GET', '/api/sessions/{id}', { path: '/api/sessions/0' });
    await expectStatus(200, 'GET', '/api/sessions/{id}/stats', { path: `/api/sessions/${id}/stats`, headers: reader });
    await expectStatus(404, 'GET', '/api/sessions/{id}/stats', { path: '/api/sessions/999999/stats' });
    await expectStatus(200, 'GET', '/api/sessions/{id}/events', { path: `/api/sessions/${id}/events?limit=5` });
    // Its history (issue 26): paired just now, so connecting then open.
    const history = await expectStatus(200, 'GET', '/api/sessions/{id}/history', { path: `/api/sessions/${id}/history`, headers: reader });
    assert.equal((history.bands as Json[]).at(-1)?.state, 'open');
    await expectStatus(400, 'GET', '/api/sessions/{id}/history', { path: `/api/sessions/${id}/history?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z` });
    await expectStatus(400, 'GET', '/api/sessions/{id}/history', { path: `/api/sessions/${id}/history?from=yesterday` });
    await expectStatus(404, 'GET', '/api/sessions/{id}/history', { path: '/api/sessions/999999/history' });
    const fleet = await expectStatus(200, 'GET', '/api/health/summary', { headers: reader });
    assert.equal(fleet.objective, 0.995);
    await expectStatus(401, 'GET', '/api/health/summary', { headers: {} });
    const bands = await expectStatus(200, 'GET', '/api/health/bands', { path: `/api/health/bands?ids=${id},999999`, headers: reader });
    assert.deepEqual(Object.keys(bands.phones as Json), [String(id)]);
    await expectStatus(400, 'GET', '/api/health/bands', { path: '/api/health/bands?ids=a,b' });
    // Paging, search and the summary (fleet size).
    const page = await expectStatus(200, 'GET', '/api/sessions', { path: '/api/sessions?limit=2&sort=-phone&q=7705123', headers: reader });
    assert.ok((page.items as Json[]).some((s) => s.id === id) && Number(page.total) >= 1, 'the paged list finds the phone');
    await expectStatus(400, 'GET', '/api/sessions', { path: '/api/sessions?limit=0' });
    const summary = await expectStatus(200, 'GET', '/api/sessions/summary', { path: `/api/sessions/summary?organizationId=${detail.organizationId}`, headers: reader });
    assert.equal((summary.byStatus as Json).open, 1);
    await expectStatus(400, 'GET', '/api/sessions/summary', { path: '/api/sessions/summary?organizationId=abc' });
    // Settings: label and proxy (PATCH).
    const renamed = await expectStatus(200, 'PATCH', '/api/sessions/{id}', { path: `/api/sessions/${id}`, body: { label: 'Renamed line' } });
    assert.equal(renamed.label, 'Renamed line');
    assert.equal(renamed.restarted, false, 'a label change does not restart the socket');
    await expectStatus(400, 'PATCH', '/api/sessions/{id}', { path: `/api/sessions/${id}`, body: {} });
    await expectStatus(400, 'PATCH', '/api/sessions/{id}', { path: `/api/sessions/${id}`, body: { proxyUrl: 'ftp://proxy.example:21' } });
    await expectStatus(403, 'PATCH', '/api/sessions/{id}', { path: `/api/sessions/${id}`, body: { label: 'x' }, headers: reader });
    await expectStatus(404, 'PATCH', '/api/sessions/{id}', { path: '/api/sessions/999999', body: { label: 'x' } });
    await expectStatus(413, 'PATCH', '/api/sessions/{id}', { path: `/api/sessions/${id}`, raw: JSON.stringify({ label: 'x'.repeat(3000) }) });
    await expectStatus(400, 'GET', '/api/sessions/{id}/events', { path: `/api/sessions/${id}/events?limit=0` });
    await expectStatus(404, 'GET', '/api/sessions/{id}/events', { path: '/api/sessions/999999/events' });

    await expectStatus(200, 'POST', '/api/demo/faults', { body: { phoneId: id, type: 'message' } });
    await expectStatus(400, 'POST', '/api/demo/faults', { body: { phoneId: id, type: 'nope' } });
    await expectStatus(404, 'POST', '/api/demo/faults', { body: { phoneId: 999999, type: 'message' } });
    await expectStatus(403, 'POST', '/api/demo/faults', { body: { phoneId: id, type: 'message' }, headers: reader });
    await expectStatus(413, 'POST', '/api/demo/faults', { raw: ' '.repeat(5000) });
    // Demo mode: the simulated phone scans a second phone's QR; that phone is deleted again.
    const second = Number((await expectStatus(201, 'POST', '/api/sessions', { body: { organizationName: 'Contract demo', phone: '77051239002' } })).id);
    await sseUntil(`${server.url}/api/sessions/stream`, admin, (ev, data) => ev === 'qr' && data.phoneId === second, 30_000, async () => {
      const qr = await fetch(`${server.url}/api/sessions/${second}/qr`, { headers: admin });
      await qr.arrayBuffer();
      return qr.status === 200;
    });
    await expectStatus(403, 'POST', '/api/demo/sessions/{id}/scan', { path: `/api/demo/sessions/${second}/scan`, headers: reader });
    await expectStatus(200, 'POST', '/api/demo/sessions/{id}/scan', { path: `/api/demo/sessions/${second}/scan` });
    await expectStatus(200, 'DELETE', '/api/sessions/{id}', { path: `/api/sessions/${second}` });

    // The organization's own webhook endpoint: set (secret write-only), then a real delivery to it.
    const orgId = Number(detail.organizationId);
    const hookPath = `/api/organizations/${orgId}/webhook`;
    assert.deepEqual(await expectStatus(200, 'GET', '/api/organizations/{id}/webhook', { path: hookPath }), { organizationId: orgId, url: null, hasSecret: false });
    await expectStatus(403, 'GET', '/api/organizations/{id}/webhook', { path: hookPath, headers: reader });
    await expectStatus(404, 'GET', '/api/organizations/{id}/webhook', { path: '/api/organizations/999999/webhook' });
    await expectStatus(400, 'PUT', '/api/organizations/{id}/webhook', { path: hookPath, body: { url: 'ftp://example.com/x' } });
    await expectStatus(400, 'PUT', '/api/organizations/{id}/webhook', { path: hookPath, body: { url: hook.url, secret: 'short' } });
    await expectStatus(404, 'PUT', '/api/organizations/{id}/webhook', { path: '/api/organizations/999999/webhook', body: { url: hook.url } });
    await expectStatus(403, 'PUT', '/api/organizations/{id}/webhook', { path: hookPath, body: { url: hook.url }, headers: reader });
    await expectStatus(413, 'PUT', '/api/organizations/{id}/webhook', { path: hookPath, raw: JSON.stringify({ url: hook.url, secret: 'x'.repeat(3000) }) });
    // Alerts (issue 26 item 7): recipients, incidents, acknowledge, mute, test alert.
    const recipientsPath = `/api/organizations/${orgId}/alert-recipients`;
    assert.deepEqual(await expectStatus(200, 'PUT', '/api/organizations/{id}/alert-recipients', { path: recipientsPath, body: { emails: ['ops@example.com'] } }), { organizationId: orgId, emails: ['ops@example.com'] });
    await expectStatus(400, 'PUT', '/api/organizations/{id}/alert-recipients', { path: recipientsPath, body: { emails: ['nope'] } });
    await expectStatus(200, 'GET', '/api/organizations/{id}/alert-recipients', { path: recipientsPath });
    await expectStatus(404, 'GET', '/api/organizations/{id}/alert-recipients', { path: '/api/organizations/999999/alert-recipients' });
    const key = `phone:${id}:logged_out`;
    const incident = await server.db.alertIncident.create({ data: { openKey: key, key, kind: 'logged_out', phoneId: id, phoneJid: jid, organizationId: orgId, reason: 'contract' } });
    const incidentsPage = await expectStatus(200, 'GET', '/api/alerts/incidents', { path: `/api/alerts/incidents?state=open&phoneId=${id}`, headers: reader });
    assert.deepEqual((incidentsPage.items as Json[]).map((i) => i.id), [incident.id]);
    await expectStatus(400, 'GET', '/api/alerts/incidents', { path: '/api/alerts/incidents?state=bogus' });
    await expectStatus(200, 'POST', '/api/alerts/incidents/{id}/acknowledge', { path: `/api/alerts/incidents/${incident.id}/acknowledge` });
    await expectStatus(404, 'POST', '/api/alerts/incidents/{id}/acknowledge', { path: '/api/alerts/incidents/999999/acknowledge' });
    await expectStatus(200, 'PUT', '/api/alerts/mutes/{id}', { path: `/api/alerts/mutes/${id}`, body: { minutes: 5 } });
    await expectStatus(400, 'PUT', '/api/alerts/mutes/{id}', { path: `/api/alerts/mutes/${id}`, body: { minutes: 0 } });
    assert.equal((await expectStatus(200, 'GET', '/api/alerts/mutes', { headers: reader }) as unknown as Json[]).length, 1);
    await expectStatus(401, 'GET', '/api/alerts/mutes', { headers: {} });
    await expectStatus(200, 'DELETE', '/api/alerts/mutes/{id}', { path: `/api/alerts/mutes/${id}` });
    await expectStatus(404, 'DELETE', '/api/alerts/mutes/{id}', { path: '/api/alerts/mutes/999999' });
    await expectStatus(200, 'POST', '/api/alerts/test', { body: {} });
    await expectStatus(404, 'POST', '/api/alerts/test', { body: { organizationId: 999999 } });
    const orgSecret = `org-secret-${Date.now()}-abcdef`;
    const set = await expectStatus(200, 'PUT', '/api/organizations/{id}/webhook', { path: hookPath, body: { url: hook.url, secret: orgSecret } });
    assert.deepEqual(set, { organizationId: orgId, url: hook.url, hasSecret: true });
    const shown = await call('GET', '/api/organizations/{id}/webhook', { path: hookPath });
    assert.ok(!shown.text.includes(orgSecret), 'the secret is never shown');
    await expectStatus(200, 'POST', '/api/demo/faults', { body: { phoneId: id, type: 'bad-mac', count: 2 } });
    const got = await hook.waitFor((r) => r.json.type === 'session_error_warning' && r.json.currentCount === 2 && r.json.phoneId === id, 30_000);
    const headers = Object.fromEntries(Object.entries(got.headers).map(([k, v]) => [k, String(v)]));
    assert.deepEqual(new Webhook(orgSecret, { format: 'raw' }).verify(got.body, headers), got.json, "signed with the organization's secret");
    const messageId = headers['webhook-id'];
    const delivered = async () => {
      const page = await expectStatus(200, 'GET', '/api/webhooks/deliveries', { path: `/api/webhooks/deliveries?organizationId=${orgId}&limit=10`, headers: reader });
      return (page.items as Json[]).find((d) => d.messageId === messageId && d.status === 'delivered');
    };
    const row = await eventually('the delivery listed as delivered', delivered);
    assert.equal(row.url, hook.url);
    assert.deepEqual(row.payload, got.json);
    await expectStatus(200, 'GET', '/api/webhooks/deliveries', { path: '/api/webhooks/deliveries?status=delivered' });
    await expectStatus(400, 'GET', '/api/webhooks/deliveries', { path: '/api/webhooks/deliveries?status=bogus' });
    await expectStatus(401, 'GET', '/api/webhooks/deliveries', { headers: {} });
    const before = hook.received.length;
    const again = await expectStatus(200, 'POST', '/api/webhooks/deliveries/{id}/redeliver', { path: `/api/webhooks/deliveries/${row.id}/redeliver` });
    assert.equal(again.messageId, messageId);
    const resent = await hook.waitFor((r) => hook.received.indexOf(r) >= before && r.headers['webhook-id'] === messageId, 30_000);
    assert.deepEqual(resent.json, got.json, 'sent again: the same message and id');
    await expectStatus(404, 'POST', '/api/webhooks/deliveries/{id}/redeliver', { path: '/api/webhooks/deliveries/999999/redeliver' });
    await expectStatus(403, 'POST', '/api/webhooks/deliveries/{id}/redeliver', { path: `/api/webhooks/deliveries/${row.id}/redeliver`, headers: reader });
    // Send test: one signed webhook_test delivery to the organization's endpoint.
    const tested = await expectStatus(200, 'POST', '/api/webhooks/test', { body: { organizationId: orgId } });
    assert.equal(tested.event, 'webhook_test');
    assert.equal(tested.organizationName, 'Contract');
    const testBody = await hook.waitFor((r) => r.json.type === 'webhook_test' && r.json.organizationId === orgId, 30_000);
    assert.ok(new Webhook(orgSecret, { format: 'raw' }).verify(testBody.body, Object.fromEntries(Object.entries(testBody.headers).map(([k, v]) => [k, String(v)]))), 'signed');
    await expectStatus(404, 'POST', '/api/webhooks/test', { body: { organizationId: 999_999 } });
    await expectStatus(400, 'POST', '/api/webhooks/test', { body: { organizationId: 'one' } });
    await expectStatus(409, 'POST', '/api/webhooks/test', { body: { organizationId: null } });
    await expectStatus(403, 'POST', '/api/webhooks/test', { body: { organizationId: orgId }, headers: reader });
    assert.equal((await expectStatus(200, 'PUT', '/api/organizations/{id}/webhook', { path: hookPath, body: { url: null } })).hasSecret, false, 'clearing the URL removes the secret');

    // Messages (a `messages` token: content needs it): out to a contact of the simulator, in from it.
    const content = { authorization: `Bearer ${(await createToken(server.db, { name: 'contract-messages', scopes: ['messages'] })).token}` };
    const contact = '15550009002';
    const messages = `/api/sessions/${id}/messages`;
    const sent = await expectStatus(202, 'POST', '/api/sessions/{id}/messages', { path: messages, headers: { ...content, 'idempotency-key': 'contract-1' }, body: { to: `+${contact}`, text: 'contract' } });
    assert.equal(sent.status, 'queued');
    const replay = await expectStatus(200, 'POST', '/api/sessions/{id}/messages', { path: messages, headers: { ...content, 'idempotency-key': 'contract-1' }, body: { to: `+${contact}`, text: 'contract' } });
    assert.equal(replay.id, sent.id, 'the same key and body: the stored message');
    await expectStatus(409, 'POST', '/api/sessions/{id}/messages', { path: messages, headers: { ...content, 'idempotency-key': 'contract-1' }, body: { to: `+${contact}`, text: 'another' } });
    await expectStatus(400, 'POST', '/api/sessions/{id}/messages', { path: messages, headers: content, body: { to: 'not a number', text: 'x' } });
    await expectStatus(400, 'POST', '/api/sessions/{id}/messages', { path: messages, headers: { ...content, 'idempotency-key': 'two words' }, body: { to: `+${contact}`, text: 'x' } });
    await expectStatus(403, 'POST', '/api/sessions/{id}/messages', { path: messages, headers: reader, body: { to: `+${contact}`, text: 'x' } });
    await expectStatus(404, 'POST', '/api/sessions/{id}/messages', { path: '/api/sessions/999999/messages', headers: content, body: { to: `+${contact}`, text: 'x' } });
    await expectStatus(415, 'POST', '/api/sessions/{id}/messages', { path: messages, headers: content, body: { to: `+${contact}`, media: { kind: 'image', mimetype: 'application/zip', data: 'AAAA' } } });
    await expectStatus(413, 'POST', '/api/sessions/{id}/messages', { path: messages, headers: content, raw: JSON.stringify({ to: `+${contact}`, text: 'x'.repeat(3000) }) });
    const one = await expectStatus(200, 'GET', '/api/sessions/{id}/messages/{messageId}', { path: `${messages}/${sent.id}`, headers: reader });
    assert.equal('text' in one, false, 'a read token sees no body');
    await expectStatus(404, 'GET', '/api/sessions/{id}/messages/{messageId}', { path: `${messages}/NOPE123` });
    await expectStatus(400, 'GET', '/api/sessions/{id}/messages/{messageId}', { path: `${messages}/not%20an%20id` });
    await expectStatus(400, 'GET', '/api/sessions/{id}/messages', { path: `${messages}?cursor=99999999999` });
    await expectStatus(404, 'GET', '/api/sessions/{id}/messages', { path: '/api/sessions/999999/messages' });
    const { id: inImage } = await simMessaging(sim.controlUrl).send(contact, { to: jid, media: { kind: 'image', mimetype: 'image/png', data: PNG.toString('base64'), caption: 'contract pixel' } });
    let inbound: Json | undefined;
    for (const deadline = Date.now() + 30_000; !inbound && Date.now() < deadline; ) {
      const page = await expectStatus(200, 'GET', '/api/sessions/{id}/messages', { path: `${messages}?direction=in&limit=5`, headers: content });
      inbound = (page.items as Json[]).find((m) => m.id === inImage);
      if (!inbound) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(inbound, 'the inbound image is listed');
    const media = await call('GET', '/api/sessions/{id}/messages/{messageId}/media', { path: `${messages}/${inImage}/media`, headers: content });
    assert.equal(media.status, 200);
    assert.equal(media.mediaType, 'image/png');
    await expectStatus(403, 'GET', '/api/sessions/{id}/messages/{messageId}/media', { path: `${messages}/${inImage}/media`, headers: reader });
    await expectStatus(404, 'GET', '/api/sessions/{id}/messages/{messageId}/media', { path: `${messages}/NOPE123/media`, headers: content });
    const traffic = await expectStatus(200, 'GET', '/api/messages/traffic', { path: `/api/messages/traffic?ids=${id},999999`, headers: reader });
    assert.deepEqual(Object.keys(traffic.phones as Json), [String(id)], 'unknown phones are absent');
    assert.ok(((traffic.phones as Record<string, Json>)[String(id)].inPerMinute as number) >= 1, 'the image came in seconds ago');
    await expectStatus(400, 'GET', '/api/messages/traffic', { path: '/api/messages/traffic?ids=a' });

    await expectStatus(200, 'POST', '/api/sessions/{id}/restart', { path: `/api/sessions/${id}/restart` });
    await expectStatus(403, 'POST', '/api/sessions/{id}/restart', { path: `/api/sessions/${id}/restart`, headers: reader });
    await expectStatus(404, 'POST', '/api/sessions/{id}/restart', { path: '/api/sessions/999999/restart' });
    await expectStatus(200, 'POST', '/api/sessions/{id}/close', { path: `/api/sessions/${id}/close`, body: { reason: 'contract test' } });
    await expectStatus(200, 'POST', '/api/sessions/{id}/close', { path: `/api/sessions/${id}/close`, body: {} });
    await expectStatus(400, 'POST', '/api/sessions/{id}/close', { path: `/api/sessions/${id}/close`, body: { reason: 'x'.repeat(600) } });
    await expectStatus(413, 'POST', '/api/sessions/{id}/close', { path: `/api/sessions/${id}/close`, raw: JSON.stringify({ reason: 'x'.repeat(3000) }) });
    await expectStatus(404, 'POST', '/api/sessions/{id}/close', { path: '/api/sessions/999999/close', body: {} });
    await expectStatus(200, 'POST', '/api/sessions/{id}/start', { path: `/api/sessions/${id}/start` });
    await expectStatus(404, 'POST', '/api/sessions/{id}/start', { path: '/api/sessions/999999/start' });
    await expectStatus(403, 'POST', '/api/sessions/{id}/logout', { path: `/api/sessions/${id}/logout`, headers: reader, body: {} });
    await expectStatus(404, 'POST', '/api/sessions/{id}/logout', { path: '/api/sessions/999999/logout', body: {} });
    await expectStatus(200, 'POST', '/api/sessions/{id}/logout', { path: `/api/sessions/${id}/logout`, body: { reason: 'contract test' } });
  });

  await t.test('stream, organizations, audit, tokens, metrics, health, the document itself', async () => {
    const stream = await call('GET', '/api/sessions/stream', { stream: true });
    assert.equal(stream.status, 200);
    assert.match(stream.text, /event: hello/);
    await expectStatus(401, 'GET', '/api/sessions/stream', { headers: {} });

    const orgs = (await expectStatus(200, 'GET', '/api/organizations', { headers: reader })) as unknown as Json[];
    assert.ok(orgs.some((o) => o.name === 'Contract'));
    await expectStatus(401, 'GET', '/api/organizations', { headers: { authorization: 'Bearer wac_nope' } });

    const fleet = await expectStatus(200, 'GET', '/api/nodes', { headers: reader });
    assert.equal((fleet.nodes as Json[]).length, 1, 'one node on SQLite');
    await expectStatus(401, 'GET', '/api/nodes', { headers: { authorization: 'Bearer wac_nope' } });

    const page = await expectStatus(200, 'GET', '/api/audit', { path: '/api/audit?limit=2&targetType=phone' });
    assert.equal((page.items as Json[]).length, 2);
    await expectStatus(200, 'GET', '/api/audit', { path: `/api/audit?limit=5&before=${page.nextCursor}&targetId=${id}` });
    await expectStatus(400, 'GET', '/api/audit', { path: '/api/audit?limit=abc' });
    await expectStatus(400, 'GET', '/api/audit', { path: `/api/audit?targetType=${'x'.repeat(60)}` });
    const filtered = await expectStatus(200, 'GET', '/api/audit', { path: `/api/audit?phone=${phone}&action=session&from=2020-01-01` });
    assert.ok((filtered.items as Json[]).length > 0 && (filtered.items as Json[]).every((a) => a.targetLabel === `+${phone}` && String(a.action).startsWith('session.')));
    await expectStatus(400, 'GET', '/api/audit', { path: '/api/audit?from=2026-12-06&to=2026-12-05' });
    const csv = await call('GET', '/api/audit/export', { path: `/api/audit/export?phone=${phone}`, headers: reader });
    assert.equal(csv.status, 200);
    assert.match(csv.text, /^id,time,actorType,actor,action,targetType,targetId,target,reason,result,detail\r\n/);
    assert.ok(csv.text.includes(`,+${phone},`));
    await expectStatus(400, 'GET', '/api/audit/export', { path: '/api/audit/export?action=DROP' });

    await expectStatus(200, 'GET', '/api/tokens');
    await expectStatus(403, 'GET', '/api/tokens', { headers: reader });
    const token = await expectStatus(201, 'POST', '/api/tokens', { body: { name: 'contract', scopes: ['read'] } });
    await expectStatus(400, 'POST', '/api/tokens', { body: { name: '' } });
    await expectStatus(413, 'POST', '/api/tokens', { raw: JSON.stringify({ name: 'x'.repeat(3000) }) });
    await expectStatus(200, 'DELETE', '/api/tokens/{id}', { path: `/api/tokens/${token.id}` });
    await expectStatus(404, 'DELETE', '/api/tokens/{id}', { path: '/api/tokens/999999' });
    await expectStatus(400, 'DELETE', '/api/tokens/{id}', { path: '/api/tokens/x' });
    await expectStatus(403, 'DELETE', '/api/tokens/{id}', { path: `/api/tokens/${token.id}`, headers: reader });

    await expectStatus(200, 'GET', '/api/users');
    await expectStatus(403, 'GET', '/api/users', { headers: reader });
    const invited = await expectStatus(201, 'POST', '/api/users', { body: { email: 'contract@test.local', role: 'viewer' } });
    await expectStatus(409, 'POST', '/api/users', { body: { email: 'contract@test.local', role: 'viewer' } });
    await expectStatus(400, 'POST', '/api/users', { body: { email: 'nope', role: 'viewer' } });
    const userPath = `/api/users/${(invited.user as { id: number }).id}`;
    await expectStatus(200, 'PATCH', '/api/users/{id}', { path: userPath, body: { role: 'admin' } });
    await expectStatus(400, 'PATCH', '/api/users/{id}', { path: userPath, body: { role: 'owner' } });
    await expectStatus(200, 'POST', '/api/users/{id}/sign-out', { path: `${userPath}/sign-out` });
    await expectStatus(404, 'POST', '/api/users/{id}/sign-out', { path: '/api/users/999999/sign-out' });
    await expectStatus(200, 'DELETE', '/api/users/{id}', { path: userPath });
    await expectStatus(404, 'DELETE', '/api/users/{id}', { path: userPath });

    const metrics = await call('GET', '/api/metrics', { headers: reader });
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /wa_session_connected/);
    await expectStatus(401, 'GET', '/api/metrics', { headers: {} });
    const health = await expectStatus(200, 'GET', '/api/health', { headers: {} });
    assert.deepEqual(health, { status: 'ok', db: 'ok' });
    await expectStatus(200, 'GET', '/api/openapi.json');
    await expectStatus(401, 'GET', '/api/openapi.json', { headers: {} });
  });

  await t.test('sign in and out (NextAuth, JSON answers)', async () => {
    const jar = new Map<string, string>();
    const keep = (h: Headers) => {
      for (const c of h.getSetCookie()) {
        const [pair] = c.split(';');
        const i = pair.indexOf('=');
        jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
    };
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    await expectStatus(200, 'GET', '/api/auth/providers', { headers: {} });
    assert.deepEqual(await expectStatus(200, 'GET', '/api/auth/session', { headers: {} }), {}, 'signed out: an empty session');
    const csrf = await call('GET', '/api/auth/csrf', { headers: {} });
    assert.equal(csrf.status, 200);
    keep(csrf.headers);
    const csrfToken = String((csrf.body as Json).csrfToken);
    const form = (fields: Record<string, string>) => ({ raw: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() } });
    await expectStatus(401, 'POST', '/api/auth/callback/credentials', form({ email: server.adminEmail, password: 'wrong-password', csrfToken }));
    await expectStatus(403, 'POST', '/api/auth/callback/credentials', form({ email: server.adminEmail, password: server.adminPassword, csrfToken: 'forged' }));
    await expectStatus(413, 'POST', '/api/auth/callback/credentials', form({ email: server.adminEmail, password: 'x'.repeat(3000), csrfToken }));
    const signedIn = await call('POST', '/api/auth/callback/credentials', {
      raw: JSON.stringify({ email: server.adminEmail, password: server.adminPassword, csrfToken }),
      headers: { 'content-type': 'application/json', cookie: cookie() },
    });
    assert.equal(signedIn.status, 200, signedIn.text);
    keep(signedIn.headers);
    assert.ok(cookie().includes('session-token'), 'the session cookie is set');
    const session = await expectStatus(200, 'GET', '/api/auth/session', { headers: { cookie: cookie() } });
    assert.equal((session.user as Json).email, server.adminEmail);
    await expectStatus(403, 'POST', '/api/auth/signout', form({ csrfToken: 'forged' }));
    await expectStatus(200, 'POST', '/api/auth/signout', form({ csrfToken }));
  });

  await t.test('delete the phone last, then its organization', async () => {
    const orgPath = `/api/organizations/${(await expectStatus(200, 'GET', '/api/sessions/{id}', { path: `/api/sessions/${id}` })).organizationId}`;
    const notEmpty = await expectStatus(409, 'DELETE', '/api/organizations/{id}', { path: orgPath });
    assert.equal(notEmpty.code, 'organization_not_empty');
    await expectStatus(403, 'DELETE', '/api/sessions/{id}', { path: `/api/sessions/${id}`, headers: reader });
    await expectStatus(200, 'DELETE', '/api/sessions/{id}', { path: `/api/sessions/${id}` });
    await expectStatus(404, 'DELETE', '/api/sessions/{id}', { path: `/api/sessions/${id}` });
    await expectStatus(403, 'DELETE', '/api/organizations/{id}', { path: orgPath, headers: reader });
    await expectStatus(200, 'DELETE', '/api/organizations/{id}', { path: orgPath });
    await expectStatus(404, 'DELETE', '/api/organizations/{id}', { path: orgPath });
  });

  await t.test('405 with Allow on every path, for every method it does not list', async () => {
    for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        if (method.toLowerCase() in item) continue;
        // NextAuth's session update (the browser's useSession().update()), not a script's operation.
        if (template === '/api/auth/session' && method === 'POST') continue;
        if (template.startsWith('/api/auth/')) {
          // NextAuth's catch-all: its own 405 (Allow names the methods of the whole catch-all).
          const res = await fetch(server.url + template, { method, headers: admin });
          await res.arrayBuffer();
          assert.equal(res.status, 405, `${method} ${template}`);
          continue;
        }
        const r = await call(method, template, { path: template.replace('{id}', '1') });
        assert.equal(r.status, 405, `${method} ${template}`);
      }
    }
  });

  await t.test('every documented operation was called with a success and an error answer', () => {
    const missing: string[] = [];
    for (const { path: p, method, op } of v.operations()) {
      const statuses = [...(v.seen.get(String(op.operationId)) ?? [])];
      if (!statuses.some((s) => s < 300)) missing.push(`${method} ${p}: no success`);
      if (!statuses.some((s) => s >= 400) && op.security === undefined) missing.push(`${method} ${p}: no error`);
    }
    assert.deepEqual(missing, []);
  });
});
