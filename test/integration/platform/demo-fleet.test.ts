// Issue 13, item 9: `NODES=2 npm run demo` (scripts/demo.ts → scripts/demo-fleet.ts) starts two
// console nodes on one PostgreSQL database and one simulator; the demo's phones open, spread over
// both nodes, each with one connection.
// Issue 27.10: the demo creates the database DATABASE_URL names when it is missing, saying so;
// stopping the demo's nodes (one drained, one killed) while a node started by hand (with the
// command the demo prints) still runs keeps the demo and the simulator up, and the demo names only
// that node: it opens every phone. When that last node drains, the demo ends by itself (exit 0);
// no owner row is left, and no node row but the killed node's expired one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../support/console-server';
import { REPO_ROOT as ROOT, spawnDemo } from '../../support/demo-process';
import { PG_ADMIN_URL, testProviders } from '../../support/databases';
import { createDb } from '../../../lib/db/client';
import { eventually } from '../../support/fleet-nodes';

if (testProviders().includes('postgresql')) {
  test('NODES=2 demo: creates its database, two nodes share the phones, the simulator stays up while any node runs, the demo ends with the last', { timeout: 300_000 }, async (t) => {
    // A database that does not exist yet: the demo creates it.
    const name = `wa_console_demo_test_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    const database = { url: url.toString(), db: createDb(url.toString()) };
    const [port, simPort] = [await freePort(), await freePort()];
    const demo = spawnDemo({
      port,
      simPort,
      databaseUrl: database.url,
      password: `operator-${crypto.randomBytes(6).toString('hex')}`,
      env: { NODES: '2', SIM_REGISTRY_FILE: path.join(os.tmpdir(), `${name}.simulator-devices.json`) },
    });
    const { child, env } = demo;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let byHand: ReturnType<typeof spawn> | null = null;
    t.after(async () => {
      if (byHand && byHand.exitCode === null) {
        const gone = new Promise((r) => byHand!.once('exit', r));
        byHand.kill('SIGTERM');
        const timer = setTimeout(() => byHand!.kill('SIGKILL'), 30_000);
        await gone;
        clearTimeout(timer);
      }
      if (child.exitCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      // Nodes left behind by a failed run (their own process groups): by the pids the demo printed.
      for (const m of demo.output.matchAll(/\(pid (\d+)\)/g)) {
        try {
          process.kill(Number(m[1]), 'SIGKILL');
        } catch {
          // gone
        }
      }
      await database.db.$disconnect();
      fs.rmSync(env.SIM_REGISTRY_FILE!, { force: true });
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    });

    const urls = await eventually('the demo prints both nodes', async () => {
      const found = [...demo.output.matchAll(/node demo_\d+: (http:\/\/localhost:\d+)/g)].map((m) => m[1]);
      return found.length === 2 ? found : undefined;
    }, 240_000, 500).catch((err) => assert.fail(`${err}\n${demo.output}`));
    for (const url of urls) assert.equal((await fetch(`${url.replace('localhost', '127.0.0.1')}/api/health`)).status, 200, `${url} answers`);

    const db = database.db;
    await eventually('the 5 demo phones open, each with one connection, owned by both nodes', async () => {
      const phones = (await (await fetch(`http://127.0.0.1:${simPort}/phones`)).json()) as { connections: number; overlaps: number }[];
      const owners = await db.phoneOwner.findMany();
      const open = await db.organizationPhone.count({ where: { status: 'open' } });
      return phones.length === 5 && phones.every((p) => p.connections === 1) && open === 5 && owners.length === 5 && new Set(owners.map((o) => o.nodeId)).size === 2 ? true : undefined;
    }, 120_000, 500);

    assert.match(demo.output, new RegExp(`Created the PostgreSQL database ${name} on 127\\.0\\.0\\.1:5432`));
    // The sign-in banner comes after boot (both nodes listening, the owners the demo found); later
    // lines are events (a phone moving as the fleet balances itself).
    const banner = demo.output.lastIndexOf('Sign in on any of them');
    assert.ok(banner > demo.output.indexOf('owners:') && banner > demo.output.lastIndexOf('Console listening'), demo.output);

    // A node started by hand with the command the demo prints when one of its nodes stops; then
    // both of the demo's nodes drain: the simulator stays up for the node left, which opens every phone.
    const pids = [...demo.output.matchAll(/node (demo_\d+): http:\/\/localhost:\d+ {2}\(pid (\d+)\)/g)].map((m) => ({ id: m[1], pid: Number(m[2]) }));
    process.kill(pids[0].pid, 'SIGTERM');
    const command = await eventually('the restart command', () => /start it again \(in another terminal\): (.*) PORT=\d+ npm start/.exec(demo.output)?.[1], 120_000, 200);
    assert.match(demo.output, new RegExp(`node ${pids[0].id} \\(pid ${pids[0].pid}\\) stopped \\(drained`));
    const handPort = await freePort();
    const handEnv: NodeJS.ProcessEnv = { ...env, NODES: undefined, PORT: String(handPort), NEXTAUTH_URL: undefined };
    for (const pair of command.split(' ')) {
      const at = pair.indexOf('=');
      handEnv[pair.slice(0, at)] = pair.slice(at + 1);
    }
    byHand = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'start.ts')], { cwd: ROOT, env: handEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.collect(byHand);
    await eventually('the node started by hand answers', async () => (await fetch(`http://127.0.0.1:${handPort}/api/health`)).ok, 240_000, 500);
    const handNode = await eventually('the node started by hand joins the fleet', async () => (await db.fleetNode.findMany()).find((n) => !n.id.startsWith('demo_'))?.id, 120_000, 500);
    // The demo's other node is killed: its lease row outlives it, and the demo names only the node
    // that runs (it once listed the killed one beside it).
    process.kill(pids[1].pid, 'SIGKILL');
    await eventually("the demo says its own nodes stopped and the simulator stays up", () => demo.output.includes(`the demo's own nodes have stopped, but ${handNode} still runs:`), 120_000, 200);
    assert.match(demo.output, new RegExp(`node ${pids[1].id} \\(pid ${pids[1].pid}\\) stopped \\(SIGKILL: the other nodes open its phones once PostgreSQL sees its connections end`));
    await eventually('every phone open on the node started by hand, one connection each', async () => {
      const phones = (await (await fetch(`http://127.0.0.1:${simPort}/phones`)).json()) as { connections: number }[];
      const owners = await db.phoneOwner.findMany();
      return phones.length === 5 && phones.every((p) => p.connections === 1) && owners.length === 5 && owners.every((o) => o.nodeId === handNode) ? true : undefined;
    }, 120_000, 500);
    assert.equal(child.exitCode, null, 'the demo still runs');

    // The last node drains: the demo says no node is left, stops the simulator and ends by itself.
    const gone = new Promise((r) => byHand!.once('exit', r));
    byHand.kill('SIGTERM');
    await gone;
    assert.equal(await exited, 0, demo.output);
    assert.match(demo.output, /no console node runs any more: the demo stops the simulator and ends/);
    // A drain keeps each owner row with no node (its epoch only ever grows, docs/fleet.md).
    assert.equal(await db.phoneOwner.count({ where: { nodeId: { not: '' } } }), 0, 'every node gave up its phones');
    // The killed node's row stays (expired) until it is replaced: every node that ran to the end left.
    assert.equal(await db.fleetNode.count({ where: { id: { not: pids[1].id } } }), 0, 'every drained node left the fleet');
    assert.equal(await db.organizationPhone.count({ where: { status: 'open' } }), 5, 'a drain keeps the phones marked open for the next start');
  });
}
