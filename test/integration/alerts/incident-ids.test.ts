// Issue 21.9, "the same check on every query that takes a list of ids": a digest of more incidents
// than SQLite binds in one statement (999) is marked sent, and mutes are read for as many phones.
// Before, Prisma sent such an updateMany as one statement and SQLite refused it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../support/databases';
import { IncidentStore } from '../../../lib/alerts/store';

const MANY = 1_200;

// SQLite only: its limit is the one (PostgreSQL binds 65,535 values per statement).
for (const provider of ['sqlite'] as const) {
  test(`${provider}: ${MANY} incidents marked sent and resolved-sent at once; mutes of ${MANY} phones`, async (t) => {
    const tdb = await createTestDatabase(provider);
    t.after(() => tdb.drop());
    await tdb.db.alertIncident.createMany({ data: Array.from({ length: MANY }, (_, i) => ({ key: `phone:${i + 1}:logged_out`, kind: 'logged_out', phoneId: i + 1 })) });
    const ids = (await tdb.db.alertIncident.findMany({ select: { id: true } })).map((r) => r.id);
    assert.equal(ids.length, MANY);
    const store = new IncidentStore(tdb.db);
    const at = new Date();
    await store.markNotified(ids, at);
    await store.markResolvedNotified(ids, at);
    assert.equal(await tdb.db.alertIncident.count({ where: { notifiedAt: at, resolvedNotifiedAt: at } }), MANY);
    const org = await tdb.db.organization.create({ data: { name: 'Muted' } });
    const phone = await tdb.db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77051999999@s.whatsapp.net', alertsMutedUntil: new Date(Date.now() + 3_600_000) } });
    const asked = [...Array.from({ length: MANY }, (_, i) => 100_000 + i), phone.id];
    assert.deepEqual([...(await store.muted(asked, at))], [phone.id]);
  });
}
