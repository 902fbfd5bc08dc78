// Memory never disagrees with the database: a key write the database refuses (a trigger here)
// fails keys.set(), so Baileys' own transaction fails and retries, and afterwards the same process
// reads exactly what a fresh load reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { addTransactionCapability, type SignalDataTypeMap, type SignalKeyStore } from '@whiskeysockets/baileys';
import { createTestDatabase, testProviders, type TestDatabase } from '../../support/databases';
import { addPhone } from '../../support/engine';
import { loadDbAuthState } from '../../../lib/sessions/auth-state';

const session = (tag: string) => ({ tag }) as unknown as SignalDataTypeMap['session'];

async function refuseKeyWrites(t: TestDatabase, keyId: string) {
  if (t.provider === 'sqlite') {
    await t.db.$executeRawUnsafe(`CREATE TRIGGER refuse_key BEFORE INSERT ON "AuthKey" WHEN NEW."keyId" = '${keyId}' BEGIN SELECT RAISE(ABORT, 'key write refused by the test'); END`);
  } else {
    await t.db.$executeRawUnsafe(`CREATE FUNCTION refuse_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW."keyId" = '${keyId}' THEN RAISE EXCEPTION 'key write refused by the test'; END IF; RETURN NEW; END $$`);
    await t.db.$executeRawUnsafe(`CREATE TRIGGER refuse_key BEFORE INSERT ON "AuthKey" FOR EACH ROW EXECUTE FUNCTION refuse_key()`);
  }
}

const tags = (keys: { [id: string]: unknown }) => Object.fromEntries(Object.entries(keys).map(([id, v]) => [id, (v as { tag: string }).tag]));

for (const provider of testProviders()) {
  test(`${provider}: a refused key write fails keys.set and Baileys' transaction, and leaves memory equal to the database`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const phone = await addPhone(t.db, '77990000301@s.whatsapp.net');
      const auth = await loadDbAuthState(t.db, phone.id);
      await auth.state.keys.set({ session: { '1555.0': session('old'), '1666.0': session('kept') } });
      // Cached: a read before the failure holds the old value in memory.
      assert.deepEqual(tags(await auth.state.keys.get('session', ['1555.0', '1666.0', '1777.0'])), { '1555.0': 'old', '1666.0': 'kept' });
      await refuseKeyWrites(t, '1777.0');

      // Directly: keys.set rejects.
      await assert.rejects(async () => auth.state.keys.set({ session: { '1555.0': session('new'), '1777.0': session('refused') } }), /refused by the test/);

      // Through Baileys' transaction: every commit try fails (Baileys logs and gives up).
      const calls: string[] = [];
      const counted: SignalKeyStore = {
        get: (type, ids) => auth.state.keys.get(type, ids),
        set: (data) => Promise.resolve(auth.state.keys.set(data)).then(() => void calls.push('ok'), (err: unknown) => {
          calls.push('failed');
          throw err;
        }),
      };
      const tx = addTransactionCapability(counted, pino({ level: 'silent' }), { maxCommitRetries: 3, delayBetweenTriesMs: 5 });
      await tx.transaction(async () => {
        const before = await tx.get('session', ['1555.0']);
        assert.equal((before['1555.0'] as unknown as { tag: string }).tag, 'old');
        await tx.set({ session: { '1555.0': session('newer'), '1777.0': session('refused') } });
      });
      assert.deepEqual(calls, ['failed', 'failed', 'failed'], 'the transaction failed and was retried');

      const ids = ['1555.0', '1666.0', '1777.0'];
      const sameProcess = tags(await auth.state.keys.get('session', ids));
      const fresh = tags(await (await loadDbAuthState(t.db, phone.id)).state.keys.get('session', ids));
      assert.deepEqual(fresh, { '1555.0': 'old', '1666.0': 'kept' }, 'the database kept the state before the failed writes');
      assert.deepEqual(sameProcess, fresh, 'memory equals the database');

      // And writes that the database takes still work afterwards.
      await auth.state.keys.set({ session: { '1555.0': session('after') } });
      assert.deepEqual(tags(await (await loadDbAuthState(t.db, phone.id)).state.keys.get('session', ['1555.0'])), { '1555.0': 'after' });
      assert.deepEqual(tags(await auth.state.keys.get('session', ['1555.0'])), { '1555.0': 'after' });
    } finally {
      await t.drop();
    }
  });
}
