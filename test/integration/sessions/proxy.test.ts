// A proxy per phone, through real proxies on loopback (npm `proxy` for HTTP CONNECT,
// `@pondwader/socks5-server` for SOCKS5) and the real Baileys client against the simulator:
// pairing and login go through the proxy and by no other path, bad proxies close with a clear
// reason under the reconnect policy, a proxy that comes back is used again, and changing the
// proxy moves the socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPhone } from '../../support/engine';
import { startEngineHarness } from '../../support/harness';
import { closedPort, startHttpProxy, startSilentServer, startSocksProxy, type TestProxy } from '../../support/proxies';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

type StateEvent = Extract<SessionEngineEvent, { type: 'state' }>;

test('sqlite: phones connect through HTTP CONNECT and SOCKS5 proxies', async (t) => {
  const { sim, tdb, manager, rec } = await startEngineHarness(t, {
    settings: { reconnectBaseMs: 100, reconnectMaxMs: 500, reconnectMaxAttempts: 1000, proxyConnectTimeoutMs: 1500 },
  });
  const stops: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const stop of stops) await stop().catch(() => {});
  });
  const keep = <P extends { stop(): Promise<void> }>(p: P) => (stops.push(() => p.stop()), p);
  let n = 0;
  const nextJid = () => `7707440${String(++n).padStart(4, '0')}@s.whatsapp.net`;
  const isState = (phoneId: number, state: string) => (e: SessionEngineEvent) => e.type === 'state' && e.phoneId === phoneId && e.state === state;
  const lastSimSeq = () => sim.events().at(-1)?.seq ?? 0;
  /** simulator connections accepted since `since`, with the peer each came from */
  const simConnects = (since: number) =>
    sim.events(since).filter((e) => e.type === 'connect').map((e) => e.detail as { conn: number; remoteAddress: string; remotePort: number });

  async function phoneWithProxy(proxyUrl: string | null) {
    const jid = nextJid();
    const phone = await addPhone(tdb.db, jid);
    await tdb.db.organizationPhone.update({ where: { id: phone.id }, data: { proxyUrl } });
    return { jid, phone };
  }

  /** Starts a phone, scans its QR at the simulator, waits until it is open (after the 515 login). */
  async function pair(phone: { id: number; organizationId: number }, jid: string) {
    const mark = rec.mark();
    await manager.startBaileys(phone.organizationId, phone.id, jid);
    const qr = await rec.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id, 30_000, mark);
    await sim.scan(jid, (qr as { qr: string }).qr);
    await rec.waitFor(isState(phone.id, 'open'), 30_000, mark);
  }

  /** The next close of a phone's socket with its reason (the reconnect policy's state event). */
  async function nextFailure(phoneId: number, mark: number) {
    const e = (await rec.waitFor((x) => x.type === 'state' && x.phoneId === phoneId && (x.state === 'closed' || (x.state === 'connecting' && !!x.reason)), 30_000, mark)) as StateEvent;
    return e;
  }

  let httpProxy: TestProxy;
  let socksProxy: TestProxy;

  await t.test('HTTP CONNECT with credentials: pairs and logs in through the proxy, by no other path', async () => {
    httpProxy = keep(await startHttpProxy({ username: 'alice', password: 's3cret:pw' }));
    const { jid, phone } = await phoneWithProxy(httpProxy.url);
    const since = lastSimSeq();
    await pair(phone, jid);
    const connects = simConnects(since);
    // registration (QR) + login after the 515 restart, each its own tunnel
    assert.ok(httpProxy.tunnels >= 2, `tunnels: ${httpProxy.tunnels}`);
    assert.equal(connects.length, httpProxy.tunnels, 'every connection the simulator saw came through a tunnel of this proxy');
    assert.deepEqual([...new Set(connects.map((c) => c.remoteAddress))], ['127.0.0.2'], 'the simulator sees the proxy, not the console');
    const live = sim.connections().filter((c) => c.phoneJid === jid);
    assert.equal(live.length, 1);
    assert.equal(live[0].remoteAddress, '127.0.0.2');
    assert.equal(httpProxy.refused, 0);
    await manager.forceCloseSession(phone.id);
  });

  await t.test('SOCKS5: pairs and logs in through the proxy, by no other path', async () => {
    socksProxy = keep(await startSocksProxy());
    const { jid, phone } = await phoneWithProxy(socksProxy.url);
    const since = lastSimSeq();
    await pair(phone, jid);
    const connects = simConnects(since);
    assert.ok(socksProxy.tunnels >= 2, `tunnels: ${socksProxy.tunnels}`);
    assert.equal(connects.length, socksProxy.tunnels);
    for (const c of connects) assert.ok(socksProxy.targetPorts.has(c.remotePort), `connection ${c.conn} came from port ${c.remotePort}, not from the proxy`);
    const live = sim.connections().find((c) => c.phoneJid === jid);
    assert.ok(live && socksProxy.targetPorts.has(live.remotePort!));
    await manager.forceCloseSession(phone.id);
  });

  await t.test('wrong credentials: "proxy authentication failed" (HTTP 407 and SOCKS5), nothing reaches the simulator', async () => {
    const socksAuth = keep(await startSocksProxy({ username: 'bob', password: 'right' }));
    for (const url of [httpProxy.url.replace('s3cret%3Apw', 'wrong'), socksAuth.url.replace(':right@', ':wrong@')]) {
      const { jid, phone } = await phoneWithProxy(url);
      const since = lastSimSeq();
      const mark = rec.mark();
      await manager.startBaileys(phone.organizationId, phone.id, jid);
      const failure = await nextFailure(phone.id, mark);
      assert.equal(failure.state, 'connecting', 'the reconnect policy applies');
      assert.equal(failure.reason, 'Reconnecting (attempt 1) after: proxy authentication failed');
      assert.equal(manager.snapshot(phone.id)?.lastCloseReason, 'proxy authentication failed');
      await manager.forceCloseSession(phone.id, 'test done');
      assert.equal(simConnects(since).length, 0, 'no connection reached the simulator');
      await manager.settled();
      const events = await tdb.db.sessionEvent.findMany({ where: { phoneId: phone.id, type: 'state:connecting' } });
      assert.ok(events.some((e) => e.message === 'Reconnecting (attempt 1) after: proxy authentication failed'));
    }
    assert.ok(httpProxy.refused >= 1 && socksAuth.refused >= 1);
  });

  await t.test('unreachable and silent proxies: "proxy unreachable: ECONNREFUSED host:port" and a timeout', async () => {
    const port = await closedPort();
    const refused = await phoneWithProxy(`socks5://127.0.0.1:${port}`);
    let mark = rec.mark();
    await manager.startBaileys(refused.phone.organizationId, refused.phone.id, refused.jid);
    let failure = await nextFailure(refused.phone.id, mark);
    assert.equal(failure.reason, `Reconnecting (attempt 1) after: proxy unreachable: ECONNREFUSED 127.0.0.1:${port}`);
    await manager.forceCloseSession(refused.phone.id, 'test done');

    const httpRefused = await phoneWithProxy(`http://127.0.0.1:${port}`);
    mark = rec.mark();
    await manager.startBaileys(httpRefused.phone.organizationId, httpRefused.phone.id, httpRefused.jid);
    failure = await nextFailure(httpRefused.phone.id, mark);
    assert.equal(failure.reason, `Reconnecting (attempt 1) after: proxy unreachable: ECONNREFUSED 127.0.0.1:${port}`);
    await manager.forceCloseSession(httpRefused.phone.id, 'test done');

    const silent = keep(await startSilentServer());
    const hung = await phoneWithProxy(`http://127.0.0.1:${silent.port}`);
    mark = rec.mark();
    await manager.startBaileys(hung.phone.organizationId, hung.phone.id, hung.jid);
    failure = await nextFailure(hung.phone.id, mark);
    assert.equal(failure.reason, `Reconnecting (attempt 1) after: proxy timed out: 127.0.0.1:${silent.port} did not open the tunnel within 1.5 s`);
    await manager.forceCloseSession(hung.phone.id, 'test done');
  });

  await t.test('a proxy stopped mid-session: the phone reconnects through it when it comes back', async () => {
    const proxy = keep(await startSocksProxy());
    const { jid, phone } = await phoneWithProxy(proxy.url);
    await pair(phone, jid);
    const tunnelsBefore = proxy.tunnels;
    const mark = rec.mark();
    await proxy.stop();
    // The socket dies with the proxy; reconnecting finds nobody listening.
    await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'connecting' && /proxy unreachable: ECONNREFUSED 127\.0\.0\.1:\d+/.test(e.reason ?? ''), 30_000, mark);
    assert.equal(manager.snapshot(phone.id)?.state, 'connecting');
    const since = lastSimSeq();
    await proxy.start();
    await rec.waitFor(isState(phone.id, 'open'), 30_000, mark);
    assert.ok(proxy.tunnels > tunnelsBefore, 'the new socket went through the proxy');
    const connects = simConnects(since);
    assert.ok(connects.length >= 1);
    for (const c of connects) assert.ok(proxy.targetPorts.has(c.remotePort), 'the reconnect came through the proxy');
    await manager.forceCloseSession(phone.id);
  });

  await t.test('changing the proxy moves the socket; clearing it connects directly', async () => {
    const { jid, phone } = await phoneWithProxy(httpProxy.url);
    await pair(phone, jid);
    assert.equal(sim.connections().find((c) => c.phoneJid === jid)?.remoteAddress, '127.0.0.2');
    const socksBefore = socksProxy.tunnels;
    let mark = rec.mark();
    await tdb.db.organizationPhone.update({ where: { id: phone.id }, data: { proxyUrl: socksProxy.url } });
    assert.equal(await manager.setProxy(phone.id, socksProxy.url), true, 'a running socket is restarted');
    await rec.waitFor(isState(phone.id, 'open'), 30_000, mark);
    assert.equal(socksProxy.tunnels, socksBefore + 1);
    const live = sim.connections().filter((c) => c.phoneJid === jid);
    assert.equal(live.length, 1, 'one connection, the old one is gone');
    assert.ok(socksProxy.targetPorts.has(live[0].remotePort!), 'it comes from the SOCKS proxy now');

    mark = rec.mark();
    await tdb.db.organizationPhone.update({ where: { id: phone.id }, data: { proxyUrl: null } });
    await manager.setProxy(phone.id, null);
    await rec.waitFor(isState(phone.id, 'open'), 30_000, mark);
    const direct = sim.connections().filter((c) => c.phoneJid === jid);
    assert.equal(direct.length, 1);
    assert.equal(direct[0].remoteAddress, '127.0.0.1');
    assert.ok(!socksProxy.targetPorts.has(direct[0].remotePort!));
    assert.equal(sim.phones().find((p) => p.phoneJid === jid)?.overlaps, 0, 'moving never ran two sockets at once');
    await manager.forceCloseSession(phone.id);
  });
});
