// Two processes with one NODE_ID: the second refuses to start, with a message that says why,
// and the first keeps its phone at its epoch (no adoption, no overlap).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone } from '../../support/engine';
import { eventually } from '../../support/fleet-nodes';

const NODE = path.resolve(__dirname, '../../support/fleet-bus-node.ts');

function bareNode(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

if (testProviders().includes('postgresql')) {
  test('a second process with a live NODE_ID refuses to start and takes nothing', { timeout: 120_000 }, async (t) => {
    const database = await createTestDatabase('postgresql');
    const env = { DATABASE_URL: database.url, NODE_ID: `dup_${crypto.randomBytes(3).toString('hex')}`, FLEET_BUS_KEY: crypto.randomBytes(32).toString('base64url'), LEASE_TTL_MS: '10000', LEASE_RENEW_MS: '1000', FENCE_MARGIN_MS: '3000' };
    const first = bareNode(env);
    t.after(async () => {
      if (first.child.exitCode === null) {
        first.child.kill('SIGKILL');
        await first.exited;
      }
      await database.drop();
    });
    const phone = await addPhone(database.db, '77991600001@s.whatsapp.net');
    await database.db.organizationPhone.update({ where: { id: phone.id }, data: { status: 'open' } });
    await eventually('the first process to own the phone', async () => (first.out().includes(`"started":${phone.id}`) ? true : undefined), 60_000, 100);
    const owner = await database.db.phoneOwner.findUniqueOrThrow({ where: { phoneId: phone.id } });

    const second = bareNode(env);
    const code = await second.exited;
    assert.notEqual(code, 0, 'the second process stops');
    assert.match(second.out(), /NODE_ID dup_\w+ is in use by another running process/);
    assert.doesNotMatch(second.out(), /"started"/, 'it started no phone');
    const after = await database.db.phoneOwner.findUniqueOrThrow({ where: { phoneId: phone.id } });
    assert.equal(after.epoch, owner.epoch, 'the first process keeps the phone at its epoch');
    assert.equal(first.child.exitCode, null, 'the first process runs on');
  });
}
