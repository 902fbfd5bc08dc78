import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../support/databases';

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
