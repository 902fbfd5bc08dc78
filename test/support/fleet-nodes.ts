// Console processes that share one database, as nodes of a fleet: scripts/server.ts (Next behind
// the HTTP edge, as `npm start` runs it) started, signalled and stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { freePort } from './console-server';

const ROOT = path.resolve(__dirname, '..', '..');

/** The fleet key of the nodes this test process starts (they must all share one, as a real fleet's nodes do). */
export const TEST_FLEET_BUS_KEY = crypto.randomBytes(32).toString('base64url');

export interface FleetNodeProcess {
  name: string;
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts a console on `databaseUrl` and resolves once /api/health answers. */
export async function startNode(name: string, env: Record<string, string>, timeoutMs = 120_000): Promise<FleetNodeProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'server.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_MANUAL_SIG_HANDLE: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? crypto.randomBytes(24).toString('hex'),
      LOG_LEVEL: process.env.TEST_CONSOLE_LOG_LEVEL ?? 'warn',
      FLEET_BUS_KEY: TEST_FLEET_BUS_KEY,
      OUTBOUND_ALLOW_INTERNAL: '127.0.0.0/8,::1', // the tests' proxies and receivers are on loopback
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node ${name} exited early:\n${log}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node ${name} did not become healthy:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { name, url, child, output: () => log, exited };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
