// Issue 13, item 9: `NODES=2 npm run demo` (scripts/demo.ts → scripts/demo-fleet.ts) starts two
// console nodes on one PostgreSQL database and one simulator; the demo's phones open, spread over
// both nodes, each with one connection; Ctrl-C (SIGINT to the demo) drains both nodes: no owner
// row and no node row is left, and the demo exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { freePort } from '../../support/console-server';
import { createTestDatabase, testProviders } from '../../support/databases';
import { eventually } from '../../support/fleet-nodes';

const ROOT = path.resolve(__dirname, '..', '..', '..');

if (testProviders().includes('postgresql')) {
  test('NODES=2 demo: two nodes on one PostgreSQL database share the phones and drain on Ctrl-C', { timeout: 300_000 }, async (t) => {
    const database = await createTestDatabase('postgresql');
    const [port, simPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODES: '2',
      PORT: String(port),
      SIM_PORT: String(simPort),
      DATABASE_URL: database.url,
      NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
      ADMIN_PASSWORD: `operator-${crypto.randomBytes(6).toString('hex')}`,
      LOG_LEVEL: 'warn',
      WA_WEBSOCKET_URL: undefined,
      SIMULATOR_URL: undefined,
    };
    delete env.HOST;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'demo.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    t.after(async () => {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      // Nodes left behind by a failed run (their own process groups): by the pids the demo printed.
      for (const m of output.matchAll(/\(pid (\d+)\)/g)) {
        try {
          process.kill(Number(m[1]), 'SIGKILL');
        } catch {
          // gone
        }
      }
      await database.drop();
    });

    const urls = await eventually('the demo prints both nodes', async () => {
      const found = [...output.matchAll(/node demo_\d+: (http:\/\/localhost:\d+)/g)].map((m) => m[1]);
      return found.length === 2 ? found : undefined;
    }, 240_000, 500).catch((err) => assert.fail(`${err}\n${output}`));
    for (const url of urls) assert.equal((await fetch(`${url.replace('localhost', '127.0.0.1')}/api/health`)).status, 200, `${url} answers`);

    const db = database.db;
    await eventually('the 5 demo phones open, each with one connection, owned by both nodes', async () => {
      const phones = (await (await fetch(`http://127.0.0.1:${simPort}/phones`)).json()) as { connections: number; overlaps: number }[];
      const owners = await db.phoneOwner.findMany();
      const open = await db.organizationPhone.count({ where: { status: 'open' } });
      return phones.length === 5 && phones.every((p) => p.connections === 1) && open === 5 && owners.length === 5 && new Set(owners.map((o) => o.nodeId)).size === 2 ? true : undefined;
    }, 120_000, 500);

    child.kill('SIGINT');
    assert.equal(await exited, 0, output);
    // A drain keeps each owner row with no node (its epoch only ever grows, docs/fleet.md).
    assert.equal(await db.phoneOwner.count({ where: { nodeId: { not: '' } } }), 0, 'both nodes gave up their phones');
    assert.equal(await db.fleetNode.count(), 0, 'both nodes left the fleet');
    assert.equal(await db.organizationPhone.count({ where: { status: 'open' } }), 5, 'a drain keeps the phones marked open for the next start');
  });
}
