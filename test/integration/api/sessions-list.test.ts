// GET /api/sessions at fleet size over HTTP, on SQLite and PostgreSQL: paging (page and cursor),
// the total, server-side sort and free-text search (letters and digits, number, label and
// organization name, case-insensitive, Cyrillic included), the seed's filters, the summary
// counts, and the seed's plain array when no paging parameter is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, type ConsoleServer } from '../../support/console-server';
import { testProviders } from '../../support/databases';

type Json = Record<string, unknown> & { items?: Json[] };

for (const provider of testProviders()) {
  test(`${provider}: sessions list paging, sort, search and summary over HTTP`, async (t) => {
    const server: ConsoleServer = await startConsole({ provider, env: { SESSIONS_AUTOSTART: 'false' } });
    t.after(() => server.stop());
    const token = await server.createToken('read');
    const get = async (path: string) => {
      const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as Json & Json[] };
    };

    // 3 organizations, 130 phones: 100 "Scale A", 25 "Scale B", 5 "Демо Москва".
    const db = server.db;
    const orgA = await db.organization.create({ data: { name: 'Scale A' } });
    const orgB = await db.organization.create({ data: { name: 'Scale B' } });
    const orgR = await db.organization.create({ data: { name: 'Демо Москва' } });
    const statuses = ['idle', 'closed', 'logged_out', 'open'];
    const rows: { organizationId: number; phoneJid: string; label: string | null; status: string; lastConnectedAt: Date | null }[] = [];
    for (let i = 0; i < 130; i++) {
      const org = i < 100 ? orgA : i < 125 ? orgB : orgR;
      rows.push({
        organizationId: org.id,
        phoneJid: `7705${String(1_000_000 + i)}@s.whatsapp.net`,
        label: i % 10 === 0 ? `Kassa ${i}` : i === 127 ? 'Склад' : null,
        status: statuses[i % 4],
        lastConnectedAt: i % 3 === 0 ? new Date(Date.UTC(2026, 0, 1) + i * 60_000) : null,
      });
    }
    await db.organizationPhone.createMany({ data: rows });

    await t.test('without paging parameters: the seed plain array of every phone', async () => {
      const { status, body } = await get('/api/sessions');
      assert.equal(status, 200);
      assert.ok(Array.isArray(body));
      assert.equal(body.length, 130);
      // Stored "open" without a running session reads idle, as before.
      assert.equal(body.filter((s: Json) => s.status === 'idle').length, 65);
      const closed = await get('/api/sessions?status=closed');
      assert.ok(Array.isArray(closed.body));
      assert.equal(closed.body.length, 33);
    });

    await t.test('page by page: the total, the page count and every phone exactly once', async () => {
      const first = await get('/api/sessions?limit=50');
      assert.equal(first.status, 200);
      assert.equal(Array.isArray(first.body), false);
      assert.equal(first.body.total, 130);
      assert.equal(first.body.pageCount, 3);
      assert.equal(first.body.page, 1);
      assert.equal(first.body.items!.length, 50);
      const seen = new Set<number>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/api/sessions?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.status, 200);
        for (const s of res.body.items!) seen.add(s.id as number);
        cursor = res.body.nextCursor as string | null;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(pages, 3);
      assert.equal(seen.size, 130);
      const third = await get('/api/sessions?limit=50&page=3');
      assert.equal(third.body.items!.length, 30);
      assert.equal(third.body.nextCursor, null);
      assert.equal(third.body.page, 3);
      // The items have the seed's session shape.
      for (const key of ['id', 'phoneJid', 'status', 'lastConnectedAt', 'stats', 'isActive', 'organizationId', 'organizationName', 'health', 'lastCloseReason', 'label']) assert.ok(key in third.body.items![0], key);
    });

    await t.test('sorting by the server: organization, phone, last connected, both directions', async () => {
      const byOrg = await get('/api/sessions?limit=200&sort=organization');
      const names = byOrg.body.items!.map((s) => s.organizationName as string);
      assert.deepEqual([names[0], names[129]], ['Scale A', 'Демо Москва']);
      const byOrgDesc = await get('/api/sessions?limit=5&sort=-organization');
      assert.equal(byOrgDesc.body.items![0].organizationName, 'Демо Москва');
      const byPhoneDesc = await get('/api/sessions?limit=3&sort=phone:desc');
      assert.deepEqual(byPhoneDesc.body.items!.map((s) => s.phoneJid), ['77051000129@s.whatsapp.net', '77051000128@s.whatsapp.net', '77051000127@s.whatsapp.net']);
      const byLast = await get('/api/sessions?limit=200&sort=-lastConnectedAt');
      const dates = byLast.body.items!.map((s) => s.lastConnectedAt as string | null);
      assert.equal(dates[0], new Date(Date.UTC(2026, 0, 1) + 129 * 60_000).toISOString());
      assert.equal(dates.filter((d) => d !== null).length, 44);
      assert.ok(dates.slice(44).every((d) => d === null), 'phones never connected come last');
    });

    // A page without search or live filters is one hand-written statement (lib/phones/query.ts);
    // the health filter (every phone here is closed) takes Prisma's query with the same sort. Both
    // must answer the same, byte for byte, for every sort and direction, and so must the detail
    // route's one statement against the list and the events route.
    await t.test('the one-statement page and detail answer exactly what the Prisma reads do', async () => {
      // Some uptimes and distinct creation times, so those sorts order by something (nulls included).
      for (let i = 0; i < 130; i += 7) {
        await db.organizationPhone.update({ where: { phoneJid: `7705${String(1_000_000 + i)}@s.whatsapp.net` }, data: { uptime7d: (i % 5) / 4, createdAt: new Date(Date.UTC(2025, 5, 1) - i * 1000) } });
      }
      const fields = ['id', 'phone', 'label', 'organization', 'status', 'lastConnectedAt', 'createdAt', 'uptime'];
      for (const field of fields) {
        for (const dir of ['asc', 'desc']) {
          const plain = await get(`/api/sessions?limit=40&page=2&sort=${field}:${dir}`);
          const viaPrisma = await get(`/api/sessions?limit=40&page=2&sort=${field}:${dir}&health=closed`);
          assert.equal(plain.status, 200);
          assert.deepEqual(plain.body, viaPrisma.body, `${field}:${dir}`);
          assert.equal(plain.body.items!.length, 40);
          // The streamed whole list reads its ids on the driver too: every phone, in Prisma's order.
          const whole = await get(`/api/sessions?sort=${field}:${dir}`);
          assert.deepEqual(whole.body, (await get(`/api/sessions?limit=200&sort=${field}:${dir}&health=closed`)).body.items, `whole list ${field}:${dir}`);
        }
      }
      const wholeB = await get(`/api/sessions?organizationId=${orgB.id}&sort=-phone`);
      assert.equal(wholeB.body.length, 25);
      assert.deepEqual(wholeB.body, (await get(`/api/sessions?limit=200&organizationId=${orgB.id}&sort=-phone&health=closed`)).body.items);
      const inB = await get(`/api/sessions?limit=10&organizationId=${orgB.id}&sort=-label`);
      assert.deepEqual(inB.body, (await get(`/api/sessions?limit=10&organizationId=${orgB.id}&sort=-label&health=closed`)).body);
      assert.equal(inB.body.total, 25);
      const past = await get('/api/sessions?limit=50&page=9');
      assert.deepEqual([past.body.items, past.body.total, past.body.nextCursor], [[], 130, null], 'a page past the end still has the total');
      const none = await get('/api/sessions?limit=5&organizationId=999999');
      assert.deepEqual([none.body.items, none.body.total, none.body.pageCount], [[], 0, 1]);

      const phone = (await get('/api/sessions?limit=1&sort=label')).body.items![0];
      await db.sessionEvent.createMany({
        data: Array.from({ length: 55 }, (_, i) => ({ phoneId: phone.id as number, type: i % 2 ? 'bad_mac' : 'open', sender: i % 2 ? `7701000${i}@s.whatsapp.net` : null, count: i % 2 ? i : null, message: `event ${i}`, detail: i % 3 ? JSON.stringify({ n: i, nested: { ok: true } }) : null })),
      });
      const detail = await get(`/api/sessions/${phone.id}`);
      assert.equal(detail.status, 200);
      const { events, ...session } = detail.body as unknown as Json & { events: Json[] };
      assert.deepEqual(session, phone, 'the phone as the list shows it');
      const history = await get(`/api/sessions/${phone.id}/events?limit=50`);
      assert.deepEqual(events, history.body.items, 'the latest 50 events, newest first, as the events route gives them');
      assert.equal(events.length, 50);
      assert.deepEqual(events[0].detail, null);
      assert.deepEqual(events[1].detail, { n: 53, nested: { ok: true } });
      const quiet = (await get('/api/sessions?limit=1&sort=-label')).body.items![0];
      assert.deepEqual((await get(`/api/sessions/${quiet.id}`)).body, { ...quiet, events: [] }, 'a phone without events');
      const missing = await get('/api/sessions/999999');
      assert.deepEqual([missing.status, missing.body.error], [404, 'Phone not found']);
    });

    await t.test('search: letters and digits, number, label and organization name, any case', async () => {
      const scaleB = await get('/api/sessions?limit=200&q=Scale%20B');
      assert.equal(scaleB.body.total, 25);
      assert.ok(scaleB.body.items!.every((s) => s.organizationName === 'Scale B'));
      assert.equal((await get('/api/sessions?limit=200&q=scale%20b')).body.total, 25, 'case-insensitive');
      assert.equal((await get('/api/sessions?limit=200&q=a')).body.total, 125, 'one letter: every Latin a (not the Cyrillic а of Москва)');
      assert.equal((await get('/api/sessions?limit=200&q=Kassa%2012')).body.total, 1, 'a label with a number in it');
      assert.equal((await get('/api/sessions?limit=200&q=kassa')).body.total, 13, 'labels are searched');
      assert.equal((await get(`/api/sessions?limit=200&q=${encodeURIComponent('москва')}`)).body.total, 5, 'Cyrillic, other case');
      assert.equal((await get(`/api/sessions?limit=200&q=${encodeURIComponent('СКЛАД')}`)).body.total, 1, 'Cyrillic label, upper case');
      const byNumber = await get(`/api/sessions?limit=200&q=${encodeURIComponent('+7 705 100 0042')}`);
      assert.deepEqual(byNumber.body.items!.map((s) => s.phoneJid), ['77051000042@s.whatsapp.net']);
      assert.equal((await get('/api/sessions?limit=200&q=100004')).body.total, 10, 'part of a number');
      assert.equal((await get('/api/sessions?limit=200&q=nothing-like-this')).body.total, 0);
      assert.equal((await get('/api/sessions?limit=200&q=%25')).body.total, 0, 'a % is text, not a wildcard');
      // With the seed's filters, and as a plain array without paging.
      const filtered = await get(`/api/sessions?limit=200&q=Scale&status=logged_out&organizationId=${orgB.id}`);
      assert.equal(filtered.body.total, filtered.body.items!.length);
      assert.ok(filtered.body.total as number > 0);
      assert.ok(filtered.body.items!.every((s) => s.status === 'logged_out' && s.organizationName === 'Scale B'));
      const plain = await get('/api/sessions?q=Kassa&sort=-phone');
      assert.ok(Array.isArray(plain.body));
      assert.equal(plain.body.length, 13);
      assert.equal(plain.body[0].phoneJid, '77051000120@s.whatsapp.net');
    });

    await t.test('health and status filters agree with what the rows show', async () => {
      const idle = await get('/api/sessions?limit=200&status=idle');
      assert.equal(idle.body.total, 65);
      assert.ok(idle.body.items!.every((s) => s.status === 'idle'));
      assert.equal((await get('/api/sessions?limit=200&status=open')).body.total, 0, 'nothing runs in this process');
      assert.equal((await get('/api/sessions?limit=200&health=closed')).body.total, 130);
      assert.equal((await get('/api/sessions?limit=200&health=healthy')).body.total, 0);
    });

    await t.test('summary: counts per state and health for the tiles', async () => {
      const { status, body } = await get('/api/sessions/summary');
      assert.equal(status, 200);
      assert.equal(body.total, 130);
      assert.deepEqual(body.byStatus, { idle: 65, connecting: 0, qr: 0, open: 0, closing: 0, closed: 33, logged_out: 32, owner_lost: 0 });
      assert.equal((body.byHealth as Json).closed, 130);
      const b = await get(`/api/sessions/summary?organizationId=${orgB.id}`);
      assert.equal(b.body.total, 25);
      assert.equal((await get('/api/sessions/summary?q=kassa')).body.total, 13);
    });

    await t.test('bad parameters answer 400 with the reason', async () => {
      for (const q of ['limit=0', 'limit=201', 'page=0', 'sort=password', 'sort=id:sideways', 'cursor=%%%', 'page=2&cursor=bzo1MA', `q=${'x'.repeat(101)}`]) {
        const res = await get(`/api/sessions?${q}`);
        assert.equal(res.status, 400, q);
        assert.equal(res.body.code, 'bad_request', q);
      }
      const forged = await get(`/api/sessions?limit=5&cursor=${Buffer.from('x:1').toString('base64url')}`);
      assert.equal(forged.status, 400);
    });

    // Last: it adds phones. WhatsApp's stored last close (a ban, a restriction) makes a phone that no
    // session runs `critical` with that reason, in the phone, the list, its health filter and the tiles.
    await t.test('banned and restricted phones are critical with the reason, not merely closed', async () => {
      const org = await db.organization.create({ data: { name: 'Banned' } });
      const closeOf = (code: string, status: number) => JSON.stringify({ code, params: { status, detail: 'Stream Errored' }, at: new Date().toISOString() });
      const banned = await db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77059000001@s.whatsapp.net', status: 'closed', lastClose: closeOf('banned', 402) } });
      const restricted = await db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77059000002@s.whatsapp.net', status: 'closed', lastClose: closeOf('restricted', 463) } });
      await db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77059000003@s.whatsapp.net', status: 'closed', lastClose: closeOf('connection_lost', 428) } });
      const one = await get(`/api/sessions/${banned.id}`);
      assert.deepEqual([one.body.status, one.body.health, one.body.healthReason, (one.body.lastClose as Json).code], ['closed', 'critical', 'banned', 'banned']);
      const critical = await get(`/api/sessions?limit=200&health=critical&organizationId=${org.id}`);
      assert.deepEqual(critical.body.items!.map((s) => [s.id, s.healthReason]).sort(), [[banned.id, 'banned'], [restricted.id, 'restricted']]);
      const tiles = await get(`/api/sessions/summary?organizationId=${org.id}`);
      assert.deepEqual([(tiles.body.byHealth as Json).critical, (tiles.body.byHealth as Json).closed], [2, 1]);
    });
  });
}
