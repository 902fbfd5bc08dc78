// Console processes that share one database, as nodes of a fleet: scripts/server.ts (Next behind
// the HTTP edge, as `npm start` runs it) started, signalled and stopped by the test.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { spawnServer } from './console-server';

/** The fleet key of the nodes this test process starts (they must all share one, as a real fleet's nodes do). */
export const TEST_FLEET_BUS_KEY = crypto.randomBytes(32).toString('base64url');

export interface FleetNodeProcess {
  name: string;
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * The settings of the console-process fleet tests: one database and simulator, one sign-in secret,
 * fast keep-alives, renewals and reconnects, and the lease the test is about. A test adds its own.
 */
export function fleetNodeEnv(opts: { databaseUrl: string; simUrl: string; leaseTtlMs: number }): Record<string, string> {
  return {
    DATABASE_URL: opts.databaseUrl,
    WA_WEBSOCKET_URL: opts.simUrl,
    NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
    KEEPALIVE_INTERVAL_MS: '1000',
    LEASE_TTL_MS: String(opts.leaseTtlMs),
    LEASE_RENEW_MS: '1000',
    FENCE_MARGIN_MS: '3000',
    RECONNECT_BASE_MS: '500',
    RECONNECT_MAX_MS: '2000',
  };
}

/** Starts a console on `databaseUrl` (spawnServer: a free port, retried on EADDRINUSE, accepted on its own "listening" line). */
export async function startNode(name: string, env: Record<string, string>, timeoutMs = 120_000): Promise<FleetNodeProcess> {
  let log = '';
  // A retry after EADDRINUSE runs under its own NODE_ID: the boot starts while Next prepares, so
  // the failed attempt may have taken the lease already, and a process under a live NODE_ID
  // refuses to start (lib/fleet/fleet.ts). Its phones move on when that lease ends, as after a crash.
  const withId = (attempt: number) => (env.NODE_ID && attempt > 1 ? { ...env, NODE_ID: `${env.NODE_ID}_r${attempt}` } : env);
  const { proc: child, url } = await spawnServer((_url, _port, attempt) => ({ FLEET_BUS_KEY: TEST_FLEET_BUS_KEY, ...withId(attempt) }), (d) => (log += d), timeoutMs).catch((err: Error) => {
    throw new Error(`node ${name} did not start: ${err.message}`);
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return { name, url, child, output: () => log, exited };
}

/** The suite's one polling helper (kept importable from here for the fleet tests and bench/fleet.ts). */
export { eventually } from './eventually';

/** Kills every node process still running (a paused one is continued first, so it can die) and waits for each exit. */
export async function killNodes(nodes: Iterable<{ child: ChildProcess; exited: Promise<unknown> }>): Promise<void> {
  for (const n of nodes) {
    if (n.child.exitCode !== null || n.child.signalCode !== null) continue;
    n.child.kill('SIGCONT');
    n.child.kill('SIGKILL');
    await n.exited;
  }
}
