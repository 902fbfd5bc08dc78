import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SignalDataTypeMap } from '@whiskeysockets/baileys';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone } from '../../support/engine';
import { loadDbAuthState } from '../../../lib/sessions/auth-state';

const session = (tag: string) => ({ tag, blob: Buffer.from(tag) }) as unknown as SignalDataTypeMap['session'];

for (const provider of testProviders()) {
  test(`auth state on ${provider}: key writes persist, mixed deletes and upserts are applied together, a reload sees them`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const phone = await addPhone(t.db, '77990000101@s.whatsapp.net');
      const store = await loadDbAuthState(t.db, phone.id);
      await store.state.keys.set({ session: { '1555.0': session('a'), '1555.1': session('b'), '1666.0': session('c') }, 'pre-key': { '1': { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } } });
      await store.state.keys.set({ session: { '1555.0': session('a2') } }); // overwrite
      await store.state.keys.set({ 'pre-key': { '1': null }, 'sender-key': { 'g1::1555.0': Buffer.from('sk') as unknown as SignalDataTypeMap['sender-key'] } });

      const reloaded = await loadDbAuthState(t.db, phone.id); // empty cache: reads the database
      const sessions = await reloaded.state.keys.get('session', ['1555.0', '1555.1', '1666.0', '1777.0']);
      assert.deepEqual(Object.keys(sessions).sort(), ['1555.0', '1555.1', '1666.0']);
      assert.equal((sessions['1555.0'] as unknown as { tag: string }).tag, 'a2');
      assert.ok(Buffer.isBuffer((sessions['1555.0'] as unknown as { blob: Buffer }).blob), 'buffers survive the round trip');
      assert.deepEqual(await reloaded.state.keys.get('pre-key', ['1']), {}, 'the deleted pre-key is gone');
      assert.equal(Buffer.from((await reloaded.state.keys.get('sender-key', ['g1::1555.0']))['g1::1555.0'] as Uint8Array).toString(), 'sk');

      const rows = await t.db.authKey.findMany({ where: { phoneId: phone.id }, orderBy: { keyId: 'asc' } });
      assert.equal(rows.length, 4);
      for (const row of rows) assert.ok(row.updatedAt instanceof Date && !Number.isNaN(row.updatedAt.getTime()), 'Prisma reads the raw-written timestamp');

      assert.equal(await reloaded.deleteSenderSessions('1555'), 2, 'every device of the sender');
      assert.deepEqual(Object.keys(await reloaded.state.keys.get('session', ['1555.0', '1555.1', '1666.0'])), ['1666.0']);
      await reloaded.clear();
      assert.equal(await t.db.authKey.count({ where: { phoneId: phone.id } }), 0);
    } finally {
      await t.drop();
    }
  });
}

test('SQLite connection settings survive transactions (libsql opens a new connection after each one)', async () => {
  const t = await createTestDatabase('sqlite');
  try {
    for (let round = 0; round < 3; round++) {
      await t.db.$transaction([t.db.organization.create({ data: { name: `Org ${round}` } }), t.db.organization.count()]);
      const [busy] = await t.db.$queryRawUnsafe<{ timeout: number }[]>('PRAGMA busy_timeout');
      const [sync] = await t.db.$queryRawUnsafe<{ synchronous: number }[]>('PRAGMA synchronous');
      assert.equal(Number(busy.timeout), 10000, `busy_timeout after transaction ${round + 1}`);
      assert.equal(Number(sync.synchronous), 1, `synchronous=NORMAL after transaction ${round + 1}`);
    }
  } finally {
    await t.drop();
  }
});
