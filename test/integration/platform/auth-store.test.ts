// First-admin bootstrap, tokens and the login throttle on real SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { ensureFirstAdmin, verifyCredentials } from '../../../lib/auth/users';
import { createToken, listTokens, revokeToken, verifyToken } from '../../../lib/auth/tokens';
import { eventually } from '../../support/eventually';
import { loginBlockedFor, reserveLoginAttempt, clearLoginFailures } from '../../../lib/auth/throttle';

for (const provider of testProviders()) {
  test(`${provider}: first admin, tokens and throttle`, async (t) => {
    const tdb = await createTestDatabase(provider);
    const db = tdb.db;
    t.after(() => tdb.drop());

    await t.test('first admin from ADMIN_PASSWORD, once', async () => {
      const first = await ensureFirstAdmin(db, { email: 'Boss@Example.com', password: 'long-password-1', cost: 4 });
      assert.deepEqual(first, { created: true, generatedPassword: null });
      const again = await ensureFirstAdmin(db, { email: 'other@example.com', password: 'x'.repeat(10), cost: 4 });
      assert.equal(again.created, false);
      assert.equal(await db.user.count(), 1);
      const user = await verifyCredentials(db, 'boss@example.com', 'long-password-1');
      assert.equal(user?.role, 'admin');
      assert.equal(await verifyCredentials(db, 'boss@example.com', 'wrong'), null);
      const row = await db.user.findFirstOrThrow();
      assert.ok(row.passwordHash.startsWith('$2') && !row.passwordHash.includes('long-password-1'));
    });

    await t.test('generated password when ADMIN_PASSWORD is unset', async () => {
      await db.user.deleteMany();
      const res = await ensureFirstAdmin(db, { email: 'gen@example.com', cost: 4 });
      assert.equal(res.created, true);
      assert.ok(res.generatedPassword && res.generatedPassword.length >= 12);
      assert.ok(await verifyCredentials(db, 'gen@example.com', res.generatedPassword!));
    });

    await t.test('token create, verify, revoke', async () => {
      const { token, info } = await createToken(db, { name: 'ci', scopes: ['read'] });
      assert.match(token, /^wac_/);
      const stored = await db.apiToken.findUniqueOrThrow({ where: { id: info.id } });
      assert.notEqual(stored.tokenHash, token);
      const actor = await verifyToken(db, token);
      assert.deepEqual(actor, { type: 'token', id: info.id, name: 'ci', role: 'viewer', content: false }, 'a read token does not see message content');
      // lastUsedAt is written after the check answered, not on its path.
      await eventually('lastUsedAt written', async () => ((await db.apiToken.findUniqueOrThrow({ where: { id: info.id } })).lastUsedAt ? true : undefined));
      assert.equal(await verifyToken(db, token + 'x'), null);
      await revokeToken(db, info.id);
      assert.equal(await verifyToken(db, token), null, 'revocation takes effect immediately');
      assert.equal((await listTokens(db))[0].revokedAt !== null, true);
      assert.equal(await revokeToken(db, 999999), null);
    });

    await t.test('throttle: 5 failures per key per window', async () => {
      const opts = { maxFailures: 5, windowMs: 15 * 60_000 };
      const key = 'a@b.c|1.2.3.4';
      for (let i = 0; i < 4; i++) assert.ok((await reserveLoginAttempt(db, key, opts)).allowed);
      assert.equal(await loginBlockedFor(db, key, opts), 0);
      assert.ok((await reserveLoginAttempt(db, key, opts)).allowed, 'the 5th attempt is still evaluated');
      const sixth = await reserveLoginAttempt(db, key, opts);
      assert.ok(!sixth.allowed && sixth.retryAfterSeconds > 14 * 60, 'the 6th is refused');
      const wait = await loginBlockedFor(db, key, opts);
      assert.ok(wait > 14 * 60 && wait <= 15 * 60, `wait ${wait}`);
      assert.equal(await loginBlockedFor(db, 'a@b.c|5.6.7.8', opts), 0, 'another IP is not blocked');
      const later = Date.now() + 15 * 60_000 + 1000;
      assert.equal(await loginBlockedFor(db, key, opts, later), 0, 'the window passes');
      await clearLoginFailures(db, key);
      assert.equal(await loginBlockedFor(db, key, opts), 0);
    });
  });
}
