// The console side of the health benchmark, in its own process so its CPU time is its own: N
// phones through the SessionManager (SQLite), then windows of CPU time without and with the
// liveness probe. Args: <n> <simUrl> <controlUrl> <prefix> <windowMs> <probeIntervalMs> <rounds>.
// Prints one JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createDb } from '../lib/db/client';
import { migrateDeploy } from '../lib/db/migrate';
import { SessionManager } from '../lib/sessions/manager';
import { Prober } from '../lib/health/prober';
import { testSettings } from '../test/support/engine';
import { pairPhones } from '../test/support/pairing';
import type { Simulator } from '../simulator';

const [nArg, simUrl, controlUrl, prefix, windowArg, intervalArg, roundsArg] = process.argv.slice(2);
const N = Number(nArg);
const WINDOW = Number(windowArg);
const INTERVAL = Number(intervalArg);
const ROUNDS = Number(roundsArg);
const silent = pino({ level: 'silent' });

/** The control API as the pairing helper wants it (scan only). */
const sim = {
  scan: (jid: string, qr: string) => fetch(`${controlUrl}/phones/${jid}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr }) }).then((r) => r.json()),
} as unknown as Simulator;

async function cpuOver(ms: number): Promise<number> {
  const start = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000; // ms of CPU
}

async function main() {
  process.on('unhandledRejection', () => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bench-health-'));
  const url = `file:${path.join(dir, 'bench.db')}`;
  await migrateDeploy(url);
  const db = createDb(url);
  const manager = new SessionManager(db, testSettings(simUrl), silent);
  const jids = Array.from({ length: N }, (_, i) => `${prefix}${String(i).padStart(5, '0')}@s.whatsapp.net`);
  await pairPhones(db, manager, sim, jids, 25);
  await manager.settled();
  // Let the logins' after-work settle (pre-key uploads, app state).
  await new Promise((r) => setTimeout(r, 3000));
  const without: number[] = [];
  const withProbe: number[] = [];
  let probes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    without.push(await cpuOver(WINDOW));
    const prober = new Prober({ targets: () => manager.probeTargets(), intervalMs: INTERVAL, timeoutMs: 10_000 }).start();
    withProbe.push(await cpuOver(WINDOW));
    probes += prober.started;
    prober.stop();
  }
  const open = manager.probeTargets().length;
  await manager.closeAll();
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ n: N, open, windowMs: WINDOW, probeIntervalMs: INTERVAL, without, withProbe, probes }) + '\n');
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
