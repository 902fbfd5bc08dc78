// Issue 11, item 10: `npm run demo` (scripts/demo.ts) listens on 127.0.0.1 only unless HOST says
// otherwise, and never prints a password the operator supplied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/console-server';
import { spawnDemo } from '../../support/demo-process';

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

const connects = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

test('the demo binds 127.0.0.1 and does not print the operator password', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-console-demo-'));
  const [port, simPort] = [await freePort(), await freePort()];
  const password = `operator-${crypto.randomBytes(6).toString('hex')}`;
  const demo = spawnDemo({ port, simPort, databaseUrl: `file:${path.join(dir, 'demo.db')}`, password, env: { NEXTAUTH_URL: `http://127.0.0.1:${port}` } });
  const { child } = demo;
  t.after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const deadline = Date.now() + 240_000;
  let healthy = false;
  while (!healthy && Date.now() < deadline) {
    if (child.exitCode !== null) assert.fail(`demo exited early:\n${demo.output}`);
    healthy = /Sign in as/.test(demo.output) && (await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok).catch(() => false));
    if (!healthy) await new Promise((r) => setTimeout(r, 300));
  }
  assert.ok(healthy, `demo did not come up:\n${demo.output}`);

  assert.ok(!demo.output.includes(password), 'the operator password is never printed');
  assert.match(demo.output, /Sign in as admin@example\.com with the password from ADMIN_PASSWORD/);
  assert.match(demo.output, /listening on 127\.0\.0\.1/);
  // A readable terminal (issue 27.16): no JSON log line (the demo's logs are pretty, `npm start`'s
  // JSON), and the sign-in banner after everything boot prints, so it does not scroll away.
  const lines = demo.output.split('\n');
  assert.deepEqual(lines.filter((l) => l.trimStart().startsWith('{')), [], 'no JSON log line in the demo\'s terminal');
  const banner = demo.output.indexOf('Sign in as');
  for (const boot of ['Console listening', 'Demo phones paired.', 'WhatsApp simulator:']) {
    assert.ok(demo.output.includes(boot) && demo.output.lastIndexOf(boot) < banner, `"${boot}" comes before the banner:\n${demo.output}`);
  }
  const external = externalAddress();
  if (external) {
    assert.equal(await connects(external, port), false, `the console must not answer on ${external}`);
    assert.equal(await connects(external, simPort), false, `the simulator must not answer on ${external}`);
  } else {
    t.diagnostic('no non-loopback IPv4 address on this machine: bind checked through the demo.output only');
  }
  assert.equal(await connects('127.0.0.1', port), true);
});
