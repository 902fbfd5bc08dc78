// The database refuses unknown roles (CHECK constraint) on SQLite and PostgreSQL; known ones and
// the session version work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { createUser, endUserSessions, setUserRole } from '../../../lib/auth/users';
import { sessionActor } from '../../../lib/auth/session';

for (const provider of testProviders()) {
  test(`${provider}: unknown roles are refused by the database`, async (t) => {
    const tdb = await createTestDatabase(provider);
    t.after(() => tdb.drop());
    const { db } = tdb;
    for (const role of ['Viewer', 'readonly', 'disabled', '', 'ADMIN']) {
      await assert.rejects(db.user.create({ data: { email: `x-${role}@test.local`, passwordHash: 'x', role } }), `create with role ${JSON.stringify(role)}`);
      await assert.rejects(db.$executeRawUnsafe(`INSERT INTO "User" ("email", "passwordHash", "role") VALUES ($1, 'x', $2)`, `raw-${role}@test.local`, role), `raw insert ${JSON.stringify(role)}`);
    }
    // The same statement with a known role goes through (the refusals above are the constraint's).
    const raw = (email: string, role: string) => db.$executeRawUnsafe(`INSERT INTO "User" ("email", "passwordHash", "role") VALUES ($1, 'x', $2)`, email, role);
    assert.equal(await raw('raw-viewer@test.local', 'viewer'), 1);
    await assert.rejects(raw('raw-readonly@test.local', 'readonly'), /check|constraint/i);
    await db.user.deleteMany();
    const viewer = await createUser(db, { email: 'v@test.local', password: 'long-password', role: 'viewer' }, 4);
    await assert.rejects(db.user.update({ where: { id: viewer.id }, data: { role: 'Admin' } }), 'update to an unknown role');
    assert.equal((await db.user.findUniqueOrThrow({ where: { id: viewer.id } })).role, 'viewer');
    assert.equal(await db.user.count(), 1);

    // The session version: 0 at creation, bumped by a role change or a sign-out everywhere.
    const row = await db.user.findUniqueOrThrow({ where: { id: viewer.id } });
    assert.equal(row.sessionVersion, 0);
    const claims = { sub: String(viewer.id), email: 'v@test.local', sv: 0 };
    assert.deepEqual(await sessionActor(db, claims), { type: 'user', id: viewer.id, name: 'v@test.local', role: 'viewer' });
    await setUserRole(db, viewer.id, 'admin');
    assert.equal(await sessionActor(db, claims), null, 'role change ends the session');
    assert.equal((await sessionActor(db, { ...claims, sv: 1 }))?.role, 'admin');
    await endUserSessions(db, viewer.id);
    assert.equal(await sessionActor(db, { ...claims, sv: 1 }), null);
    assert.equal(await sessionActor(db, { ...claims, sv: 2, email: 'other@test.local' }), null, 'an id reused for another email');
    assert.equal(await sessionActor(db, { sub: String(viewer.id), email: 'v@test.local' }), null, 'a cookie without a session version');
  });
}
