// The proxy setting over HTTP against `next start`: POST /api/sessions with proxyUrl (or from
// PROXY_POOL), PATCH /api/sessions/:id, validation, the password never shown back (API, audit,
// metrics, logs), a bad proxy visible in the list, and the pool spreading 10 phones over 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../../simulator';
import { startConsole, type ConsoleServer } from '../../support/console-server';
import { startHttpProxy, type TestProxy } from '../../support/proxies';
import type { Json } from '../../support/sse';
import { eventually } from '../../support/eventually';
import { testProviders } from '../../support/databases';

const POOL_PASSWORD = 'pool-pw-9f3a';
const PASSWORD = 'Very$ecret-77';

for (const provider of testProviders()) {
  test(`${provider}: proxy per phone over the HTTP API`, async (t) => {
    const sim: Simulator = await startSimulator({ port: 0 });
    const proxy: TestProxy = await startHttpProxy({ username: 'alice', password: PASSWORD });
    const pool = [`http://127.0.0.1:1`, `socks5://pool:${POOL_PASSWORD}@127.0.0.1:2`, `socks5h://127.0.0.1:3`];
    const server: ConsoleServer = await startConsole({
      provider,
      env: { WA_WEBSOCKET_URL: sim.url, RECONNECT_BASE_MS: '200', RECONNECT_MAX_MS: '500', RECONNECT_MAX_ATTEMPTS: '1000', PROXY_POOL: pool.join(','), LOG_LEVEL: 'info' },
    });
    t.after(async () => {
      await server.stop();
      await sim.close();
      await proxy.stop();
    });
    const { url } = server;
    const auth = { authorization: `Bearer ${await server.createToken('admin')}` };
    const readAuth = { authorization: `Bearer ${await server.createToken('read')}` };
    const seen: string[] = [];
    const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) => {
      const res = await fetch(url + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      seen.push(text);
      return { status: res.status, body: JSON.parse(text) };
    };
    const jid = '77051550001@s.whatsapp.net';
    let id = 0;

    await t.test('POST with a proxy: pairs through it; the URL comes back masked', async () => {
      const created = await api('POST', '/api/sessions', { organizationName: 'Acme', phone: jid.split('@')[0], proxyUrl: proxy.url });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      id = created.body.id;
      assert.equal(created.body.proxyUrl, `http://alice:****@127.0.0.1:${proxy.port}`);
      assert.equal(created.body.proxyHost, `127.0.0.1:${proxy.port}`);
      let qr = '';
      await eventually('the pairing QR', async () => {
        const r = await api('GET', `/api/sessions/${id}/qr`);
        qr = r.status === 200 ? String(r.body.qr) : '';
        return !!qr;
      });
      await sim.scan(jid, qr);
      await eventually('open', async () => (await api('GET', `/api/sessions/${id}`)).body.status === 'open');
      assert.equal(sim.connections().find((c) => c.phoneJid === jid)?.remoteAddress, '127.0.0.2', 'the simulator sees the proxy');
      assert.ok(proxy.tunnels >= 2);
      const list = await api('GET', '/api/sessions', undefined, readAuth);
      const row = list.body.find((s: Json) => s.id === id);
      assert.deepEqual([row.proxyUrl, row.proxyHost], [`http://alice:****@127.0.0.1:${proxy.port}`, `127.0.0.1:${proxy.port}`]);
    });

    await t.test('validation: 400 for another scheme, no host, unknown field or nothing to change; 403 for read tokens; 404', async () => {
      for (const proxyUrl of ['ftp://127.0.0.1:21', 'http://', 'socks4://h:1080', 'not a url']) {
        const post = await api('POST', '/api/sessions', { organizationName: 'Acme', phone: '77051559999', proxyUrl });
        assert.equal(post.status, 400, proxyUrl);
        assert.match(post.body.error, /proxyUrl/);
        const patch = await api('PATCH', `/api/sessions/${id}`, { proxyUrl });
        assert.equal(patch.status, 400, proxyUrl);
      }
      assert.equal((await api('PATCH', `/api/sessions/${id}`, {})).status, 400);
      assert.equal((await api('PATCH', `/api/sessions/${id}`, { proxy: 'http://h:1' })).status, 400);
      assert.equal((await api('PATCH', `/api/sessions/${id}`, { label: 'x' }, readAuth)).status, 403);
      assert.equal((await api('PATCH', '/api/sessions/999999', { label: 'x' })).status, 404);
    });

    await t.test('PATCH label: no restart; PATCH a proxy with a wrong password: the list shows "proxy authentication failed"', async () => {
      const labelled = await api('PATCH', `/api/sessions/${id}`, { label: 'Support' });
      assert.equal(labelled.status, 200);
      assert.equal(labelled.body.label, 'Support');
      assert.equal(labelled.body.restarted, false);
      const refusedBefore = proxy.refused;
      const wrong = proxy.url.replace(encodeURIComponent(PASSWORD), 'wrong-password');
      const changed = await api('PATCH', `/api/sessions/${id}`, { proxyUrl: wrong });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.restarted, true);
      assert.equal(changed.body.proxyUrl, `http://alice:****@127.0.0.1:${proxy.port}`);
      await eventually('the auth failure in the list', async () => (await api('GET', '/api/sessions')).body.find((s: Json) => s.id === id)?.lastCloseReason === 'proxy authentication failed');
      assert.ok(proxy.refused > refusedBefore);
      assert.equal(sim.connections().filter((c) => c.phoneJid === jid).length, 0, 'the old socket is gone, the new one never got through');
    });

    await t.test('PATCH the right proxy back: open again through it; clear it: direct', async () => {
      const back = await api('PATCH', `/api/sessions/${id}`, { proxyUrl: proxy.url });
      assert.equal(back.body.restarted, true);
      await eventually('open through the proxy', async () => (await api('GET', `/api/sessions/${id}`)).body.status === 'open');
      assert.equal(sim.connections().find((c) => c.phoneJid === jid)?.remoteAddress, '127.0.0.2');
      const metrics = await (await fetch(`${url}/api/metrics`, { headers: auth })).text();
      assert.match(metrics, new RegExp(`wa_session_proxy_info\\{phone_id="${id}",phone_jid="${jid}",proxy_host="127\\.0\\.0\\.1:${proxy.port}"\\} 1`));
      seen.push(metrics);
      const cleared = await api('PATCH', `/api/sessions/${id}`, { proxyUrl: null });
      assert.equal(cleared.body.proxyUrl, null);
      await eventually('open directly', async () => (await api('GET', `/api/sessions/${id}`)).body.status === 'open' && sim.connections().find((c) => c.phoneJid === jid)?.remoteAddress === '127.0.0.1');
    });

    await t.test('the pool assigns 10 new phones over 3 proxies evenly (4/3/3); explicit null means direct', async () => {
      const hosts: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await api('POST', '/api/sessions', { organizationName: 'Pool', phone: `7705166${String(i).padStart(4, '0')}`, start: false });
        assert.equal(r.status, 201);
        hosts.push(r.body.proxyHost);
      }
      const counts = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'].map((h) => hosts.filter((x) => x === h).length);
      assert.deepEqual([...counts].sort(), [3, 3, 4]);
      assert.deepEqual(hosts.slice(0, 3).sort(), ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'], 'round-robin');
      const list = await api('GET', '/api/sessions');
      assert.ok(list.body.some((s: Json) => s.proxyUrl === 'socks5://pool:****@127.0.0.1:2'));
      const direct = await api('POST', '/api/sessions', { organizationName: 'Pool', phone: '77051669999', start: false, proxyUrl: null });
      assert.equal(direct.body.proxyUrl, null);
    });

    await t.test('the audit says the proxy changed, never its value; no password in any answer or log', async () => {
      const audit = await api('GET', `/api/audit?targetType=phone&targetId=${id}`);
      const updates = audit.body.items.filter((a: Json) => a.action === 'session.update');
      assert.ok(updates.some((a: Json) => JSON.stringify(a.detail) === JSON.stringify({ changed: ['proxyUrl'], proxy: 'changed' })), JSON.stringify(updates));
      assert.ok(updates.some((a: Json) => (a.detail as { proxy?: string }).proxy === 'cleared'));
      assert.ok(updates.some((a: Json) => JSON.stringify(a.detail) === JSON.stringify({ changed: ['label'] })));
      const created = audit.body.items.find((a: Json) => a.action === 'session.create');
      assert.equal((created.detail as { proxy: string }).proxy, 'set');
      const all = seen.join('\n') + JSON.stringify(await api('GET', '/api/audit?limit=200')) + server.output();
      for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), POOL_PASSWORD]) assert.ok(!all.includes(secret), `the password ${secret} leaked`);
      assert.match(server.output(), /connecting through proxy 127\.0\.0\.1/, 'the logs name the proxy host');
    });
  });
}
