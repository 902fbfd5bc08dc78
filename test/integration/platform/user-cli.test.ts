// `npm run -s user`: role and password changes, sign-out and deletion through the CLI end the
// user's sessions (their session version moves), on a real database. `npm run -s token`: every
// scope the API knows can be given, an unknown one is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, testProviders } from '../../support/databases';
import { createUser, verifyCredentials } from '../../../lib/auth/users';
import { TOKEN_SCOPES } from '../../../lib/auth/roles';
import { hashToken } from '../../../lib/auth/tokens';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function cli(databaseUrl: string, args: string[], stdin = '', script = 'user.ts'): Promise<{ code: number | null; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', script), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, NEW_PASSWORD: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d) => {
      output += d;
      stdout += d;
    });
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, stdout }));
    child.stdin.end(stdin);
  });
}

// SQLite only: the CLI's logic is lib/auth/users.ts (tested on both providers); each run migrates first.
for (const provider of testProviders().filter((p) => p === 'sqlite')) {
  test(`${provider}: the user CLI changes users and ends their sessions`, async (t) => {
    const tdb = await createTestDatabase(provider);
    t.after(() => tdb.drop());
    const { db } = tdb;
    const u = await createUser(db, { email: 'ops@test.local', password: 'first-password', role: 'admin' }, 4);
    const version = async () => (await db.user.findUniqueOrThrow({ where: { id: u.id } })).sessionVersion;

    let r = await cli(tdb.url, ['role', 'ops@test.local', 'viewer']);
    assert.equal(r.code, 0, r.output);
    assert.equal((await db.user.findUniqueOrThrow({ where: { id: u.id } })).role, 'viewer');
    assert.equal(await version(), 1);

    r = await cli(tdb.url, ['role', 'ops@test.local', 'readonly']);
    assert.equal(r.code, 2, 'unknown role refused');
    assert.equal(await version(), 1);

    r = await cli(tdb.url, ['password', 'ops@test.local'], 'second-password\n');
    assert.equal(r.code, 0, r.output);
    assert.ok(!r.output.includes('second-password'), 'the password is not echoed');
    assert.equal(await version(), 2);
    assert.equal(await verifyCredentials(db, 'ops@test.local', 'first-password'), null);
    assert.equal((await verifyCredentials(db, 'ops@test.local', 'second-password'))?.role, 'viewer');

    r = await cli(tdb.url, ['sign-out', 'ops@test.local']);
    assert.equal(r.code, 0, r.output);
    assert.equal(await version(), 3);

    r = await cli(tdb.url, ['list']);
    assert.match(r.output, new RegExp(`^${u.id}\\tops@test.local\\tviewer$`, 'm'));

    // `add`: a viewer unless --role says otherwise, with a one-time password printed once on stdout.
    r = await cli(tdb.url, ['add', 'new@test.local']);
    assert.equal(r.code, 0, r.output);
    const oneTime = r.stdout.trim();
    assert.match(oneTime, /^[\w-]{16}$/, 'stdout holds just the password');
    assert.equal((await verifyCredentials(db, 'new@test.local', oneTime))?.role, 'viewer');
    r = await cli(tdb.url, ['add', 'boss@test.local', '--role', 'admin']);
    assert.equal(r.code, 0, r.output);
    assert.equal((await verifyCredentials(db, 'boss@test.local', r.stdout.trim()))?.role, 'admin');
    r = await cli(tdb.url, ['add', 'watcher@test.local', '--role', 'viewer']);
    assert.equal(r.code, 0, r.output);
    assert.equal((await verifyCredentials(db, 'watcher@test.local', r.stdout.trim()))?.role, 'viewer', 'add EMAIL --role viewer (issue 27.13)');
    r = await cli(tdb.url, ['add', 'new@test.local']);
    assert.equal(r.code, 1, 'an existing email is refused');
    r = await cli(tdb.url, ['add', 'x@test.local', '--role', 'owner']);
    assert.equal(r.code, 2, 'unknown role refused');
    await db.user.deleteMany({ where: { email: { in: ['new@test.local', 'boss@test.local', 'watcher@test.local'] } } });

    r = await cli(tdb.url, ['delete', 'ops@test.local']);
    assert.equal(r.code, 0, r.output);
    assert.equal(await db.user.count(), 0);
    r = await cli(tdb.url, ['delete', 'ops@test.local']);
    assert.equal(r.code, 1, 'unknown email');
  });

  test(`${provider}: the token CLI makes a token of each scope and refuses an unknown one`, async (t) => {
    const tdb = await createTestDatabase(provider);
    t.after(() => tdb.drop());
    for (const scope of TOKEN_SCOPES) {
      const r = await cli(tdb.url, ['create', `cli-${scope}`, '--scope', scope], '', 'token.ts');
      assert.equal(r.code, 0, r.output);
      const token = r.stdout.trim();
      assert.match(token, /^wac_/, 'only the token on stdout');
      assert.equal((await tdb.db.apiToken.findUnique({ where: { tokenHash: hashToken(token) } }))?.scopes, scope);
    }
    const r = await cli(tdb.url, ['create', 'cli-bogus', '--scope', 'owner'], '', 'token.ts');
    assert.equal(r.code, 2, 'unknown scope refused');
    assert.match(r.output, /--scope admin\|read\|messages/, 'the usage names every scope');
    assert.equal(await tdb.db.apiToken.count({ where: { name: 'cli-bogus' } }), 0);
  });
}
