// The phone repository (lib/db/phone-repository.ts) on both databases: every lookup the use
// cases, the manager, the monitor and the webhooks make of a phone returns what was stored, and
// a missing phone reads as null/false, never as an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { phoneRepository } from '../../../lib/db/phone-repository';

for (const provider of testProviders()) {
  test(`${provider}: the phone repository reads and writes what is stored`, async (t) => {
    const tdb = await createTestDatabase(provider);
    t.after(() => tdb.drop());
    const phones = phoneRepository(tdb.db);
    assert.equal(phoneRepository(tdb.db), phones, 'one repository per database handle');
    const org = await tdb.db.organization.create({ data: { name: 'Repo Org', webhookUrl: 'http://127.0.0.1:9/hook' } });
    const { id } = await phones.create({ organizationId: org.id, phoneJid: '77050001111@s.whatsapp.net', label: 'front desk', proxyUrl: null, engine: 'baileys-7' });

    const row = await phones.byId(id);
    assert.equal(row?.phoneJid, '77050001111@s.whatsapp.net');
    assert.equal(row?.organization.name, 'Repo Org');
    assert.equal(row?.status, 'idle', 'a new phone is idle');
    assert.equal(await phones.exists(id), true);
    assert.equal(await phones.idByJid('77050001111@s.whatsapp.net'), id);
    assert.deepEqual(await phones.connectionSettings(id), { proxyUrl: null, engine: 'baileys-7', lid: null, accountSignals: null });
    assert.deepEqual(await phones.organizationEndpoint(id), { organizationId: org.id, webhookUrl: 'http://127.0.0.1:9/hook' });

    // byId runs on the driver (lib/db/raw.ts): every field as Prisma reads it, dates and numbers included.
    await tdb.db.organizationPhone.update({ where: { id }, data: { lastConnectedAt: new Date('2026-03-04T05:06:07.089Z'), uptime7d: 0.9875, lastClose: '{"code":"banned"}', lastCloseReason: 'banned', lid: '123@lid', accountSignals: '{"reachout":null,"capping":null}' } });
    const { organization, ...viaPrisma } = (await tdb.db.organizationPhone.findUnique({
      where: { id },
      select: { id: true, organizationId: true, phoneJid: true, label: true, status: true, lastConnectedAt: true, lastCloseReason: true, lastClose: true, proxyUrl: true, uptime7d: true, engine: true, lid: true, accountSignals: true, organization: { select: { name: true } } },
    }))!;
    assert.deepEqual(await phones.byId(id), { ...viaPrisma, organization });
    assert.equal((await phones.byId(id))?.lastConnectedAt?.toISOString(), '2026-03-04T05:06:07.089Z');

    // withRecentEvents (the detail route's one statement): the same phone, and the latest events as Prisma reads them.
    assert.deepEqual(await phones.withRecentEvents(id, 3), { phone: await phones.byId(id), events: [] }, 'a phone without events');
    const at = Date.parse('2026-05-06T07:08:09.123Z');
    await tdb.db.sessionEvent.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({ phoneId: id, type: `t${i}`, sender: i % 2 ? null : `s${i}`, count: i % 2 ? i : null, message: i === 4 ? null : `m${i}`, detail: i % 2 ? '{"a":1}' : null, createdAt: new Date(at + i) })),
    });
    const recent = await phones.withRecentEvents(id, 3);
    const eventColumns = { id: true, type: true, sender: true, count: true, message: true, detail: true, createdAt: true } as const;
    assert.deepEqual(recent?.events, await tdb.db.sessionEvent.findMany({ where: { phoneId: id }, orderBy: { id: 'desc' }, take: 3, select: eventColumns }));
    assert.equal(recent?.events[0].createdAt.toISOString(), '2026-05-06T07:08:09.127Z');
    assert.deepEqual(recent?.phone, await phones.byId(id));
    assert.equal(await phones.withRecentEvents(id + 1000, 3), null, 'no phone: null, not its events');

    await tdb.db.organizationPhone.update({ where: { id }, data: { status: 'open' } });
    assert.deepEqual((await phones.withStatus(['open', 'connecting'])).map((p) => p.id), [id]);
    assert.deepEqual(await phones.withStatus(['closed']), []);

    await phones.update(id, { label: null, proxyUrl: 'http://127.0.0.1:3128' });
    assert.equal((await phones.byId(id))?.label, null);
    assert.equal((await phones.connectionSettings(id))?.proxyUrl, 'http://127.0.0.1:3128');

    await phones.delete(id);
    assert.equal(await phones.byId(id), null);
    assert.equal(await phones.withRecentEvents(id, 3), null);
    assert.equal(await phones.exists(id), false);
    assert.equal(await phones.idByJid('77050001111@s.whatsapp.net'), null);
    assert.equal(await phones.connectionSettings(id), null);
    assert.equal(await phones.organizationEndpoint(id), null);
  });
}
