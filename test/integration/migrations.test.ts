import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, testProviders } from '../support/databases';
import { migrationDrift } from '../../lib/db/migrate';

const ROOT = path.resolve(__dirname, '..', '..');
/** The CHECK constraints the PostgreSQL migrations write by hand (the models cannot express them). */
const HAND_WRITTEN_CHECKS = ['FenceRefusal.stale_owner_write_refused', 'User.User_role_check'];

for (const provider of testProviders()) {
  test(`migrations apply to an empty ${provider} database and the models work`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const org = await t.db.organization.create({ data: { name: 'Acme' } });
      const phone = await t.db.organizationPhone.create({
        data: { organizationId: org.id, phoneJid: '77051234567@s.whatsapp.net' },
      });
      assert.equal(phone.status, 'idle');
      assert.equal(typeof phone.id, 'number');
      await t.db.authKey.create({ data: { phoneId: phone.id, type: 'session', keyId: '1.0', data: '{}' } });
      await t.db.organizationPhone.delete({ where: { id: phone.id } });
      assert.equal(await t.db.authKey.count(), 0, 'auth keys cascade with their phone');
    } finally {
      await t.drop();
    }
  });
}

for (const provider of testProviders()) {
  test(`the ${provider} migrations build exactly prisma/models.prisma (prisma migrate diff --exit-code)`, async (t) => {
    const folder = provider === 'sqlite' ? 'sqlite' : 'postgres';
    await t.test('the migrated database and the models have no difference', async () => {
      const tdb = await createTestDatabase(provider);
      try {
        const { drift, checks } = await migrationDrift(tdb.url);
        assert.equal(drift, '', `the ${provider} migrations differ from prisma/models.prisma; write a migration (README: "New migration")`);
        assert.deepEqual(checks, provider === 'postgresql' ? HAND_WRITTEN_CHECKS : []);
      } finally {
        await tdb.drop();
      }
    });
    await t.test('a model the migrations do not build is reported', async () => {
      const tdb = await createTestDatabase(provider);
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'models-ahead-'));
      try {
        await fs.copyFile(path.join(ROOT, 'prisma', folder, 'schema.prisma'), path.join(dir, 'schema.prisma'));
        const models = await fs.readFile(path.join(ROOT, 'prisma', 'models.prisma'), 'utf8');
        const ahead = models.replace(/^model Organization \{\n/m, 'model Organization {\n  driftProbe String?\n');
        assert.notEqual(ahead, models);
        await fs.writeFile(path.join(dir, 'models.prisma'), ahead);
        const { drift } = await migrationDrift(tdb.url, dir);
        assert.match(drift, /Organization/);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
        await tdb.drop();
      }
    });
  });
}
