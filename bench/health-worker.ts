// The console side of the health benchmark, in its own process so its CPU time is its own: the
// N phones the density worker paired (SQLite in <dir>) started as the console starts them at boot
// (a fleet of one on SQLite, through its staggered start gate), all N sockets in this process; then alternating windows of CPU
// time without and with the liveness probe. Args: <n> <simUrl> <dir> <windowMs>
// <probeIntervalMs> <probeTimeoutMs> <rounds>. Prints one JSON line.
import path from 'node:path';
import pino from 'pino';
import { createDb } from '../lib/db/client';
import { SessionManager } from '../lib/sessions/manager';
import { Prober, type ProbeTarget } from '../lib/health/prober';
import { testSettings } from '../test/support/engine';
import { parseConfig } from '../lib/config';
import { joinFleet } from '../lib/fleet/join';
import { LoopbackBus } from '../lib/fleet/bus';
import { fleetSettingsFromConfig } from '../lib/fleet/settings';
import { KEEPALIVE_MS } from './idle';

/** No phone opened for this long: the boot is over, whatever is not open stays so. */
const STALL_MS = 120_000;

const [nArg, simUrl, dir, windowArg, intervalArg, timeoutArg, roundsArg] = process.argv.slice(2);
const N = Number(nArg);
const WINDOW = Number(windowArg);
const INTERVAL = Number(intervalArg);
const TIMEOUT = Number(timeoutArg);
const ROUNDS = Number(roundsArg);
const silent = pino({ level: 'silent' });
const log = (o: object) => process.stderr.write(`  health: ${JSON.stringify(o)}\n`);

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function cpuOver(ms: number): Promise<number> {
  const start = cpuMs();
  await new Promise((r) => setTimeout(r, ms));
  return cpuMs() - start;
}

const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] : null);

async function main() {
  process.on('unhandledRejection', () => {});
  const url = `file:${path.join(dir, 'bench.db')}`;
  const db = createDb(url);
  // The pairing worker's keep-alive (every KEEPALIVE_MS): each window of KEEPALIVE_MS holds
  // exactly one keep-alive round per phone, with the probe or without. Reconnects as the console
  // does by default (lib/config.ts): with the tests' short back-off (5 attempts within seconds) a
  // run on a loaded machine stalled at 1,426 of 2,000 open; the boot storm's WebSocket handshakes
  // time out at 20 s, and another run needed up to 8 attempts (docs/benchmarks.md, section 9).
  const config = parseConfig({ DATABASE_URL: url });
  const settings = testSettings(simUrl, {
    keepAliveIntervalMs: KEEPALIVE_MS,
    reconnectBaseMs: config.RECONNECT_BASE_MS,
    reconnectMaxMs: config.RECONNECT_MAX_MS,
    reconnectMaxAttempts: config.RECONNECT_MAX_ATTEMPTS,
  });
  const manager = new SessionManager(db, settings, silent);
  // As lib/boot/boot.ts does: every console process is a node of a fleet, and its boot opens the
  // phones through the start gate (START_CONCURRENCY, START_RATE_PER_SEC at their defaults). The
  // manager's own boot without a fleet starts every phone at once, which no console does: at
  // 2,000 phones that alone caused thousands of handshake timeouts (docs/benchmarks.md §9).
  joinFleet(manager, db, fleetSettingsFromConfig(config), new LoopbackBus(), silent);
  // Every phone's last state and why, to tell how a boot went when not all open.
  const last = new Map<number, { state: string; reason: string | null }>();
  let lastOpenAt = performance.now();
  // Every state change during the boot but the opens, by state and reason (reconnects and why).
  const bootChanges: Record<string, number> = {};
  let booting = true;
  manager.subscribe((e) => {
    if (e.type !== 'state') return;
    last.set(e.phoneId, { state: e.state, reason: e.reason ?? null });
    if (booting && e.state !== 'open') bootChanges[`${e.state}: ${e.reason ?? '-'}`] = (bootChanges[`${e.state}: ${e.reason ?? '-'}`] ?? 0) + 1;
    if (e.state === 'open') lastOpenAt = performance.now();
  });
  const openCount = () => [...last.values()].filter((v) => v.state === 'open').length;
  const t0 = performance.now();
  const cpu0 = cpuMs();
  const booted = await manager.boot();
  // Phones whose pairing failed were left out (density-worker.ts, pair-most).
  if (booted !== N) log({ booted, paired: N, note: 'phones that did not pair are left out' });
  // All open, or no phone opened for STALL_MS: then measure the phones that are open and say so.
  while (openCount() < booted && performance.now() - lastOpenAt < STALL_MS) await new Promise((r) => setTimeout(r, 500));
  booting = false;
  const openAtStart = openCount();
  const bootMs = performance.now() - t0;
  const bootCpuMs = cpuMs() - cpu0;
  const notOpen: Record<string, number> = {};
  for (const v of last.values()) if (v.state !== 'open') notOpen[`${v.state}: ${v.reason}`] = (notOpen[`${v.state}: ${v.reason}`] ?? 0) + 1;
  log({ open: openAtStart, of: N, bootMs: Math.round(bootMs), notOpen, bootChanges });
  await manager.settled();
  // Let the logins' after-work settle (pre-key uploads, app state) before the first window.
  await new Promise((r) => setTimeout(r, 10_000));

  // Each probe's round trip, to show the probes were answered (a wrapper of a few µs per probe).
  const roundTrips: number[] = [];
  const targets = (): ProbeTarget[] =>
    manager.probeTargets().map((t) => ({
      phoneId: t.phoneId,
      probe: async (ms: number) => {
        const s = performance.now();
        await t.probe(ms);
        roundTrips.push(performance.now() - s);
      },
    }));
  const without: number[] = [];
  const withProbe: number[] = [];
  const order: string[] = [];
  let probes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always follows the other.
    const first = r % 2 === 0 ? 'without' : 'with';
    for (const side of first === 'without' ? ['without', 'with'] : ['with', 'without']) {
      if (side === 'without') {
        without.push(await cpuOver(WINDOW));
      } else {
        const prober = new Prober({ targets, intervalMs: INTERVAL, timeoutMs: TIMEOUT }).start();
        withProbe.push(await cpuOver(WINDOW));
        prober.stop();
        probes += prober.started;
      }
      order.push(side);
      log({ round: r + 1, side, cpuMs: Math.round((side === 'without' ? without : withProbe).at(-1)!) });
    }
  }
  const snapshots = manager.localSnapshots();
  const stillOpen = manager.probeTargets().length;
  const unresponsive = snapshots.filter((s) => s.healthReason === 'unresponsive').length;
  const rssMb = process.memoryUsage().rss / 1e6;
  await manager.closeAll();
  await db.$disconnect();
  process.stdout.write(
    JSON.stringify({
      n: N,
      booted,
      openAtStart,
      notOpen,
      bootChanges,
      bootMs,
      bootCpuMs,
      rssMb,
      open: stillOpen,
      unresponsive,
      windowMs: WINDOW,
      probeIntervalMs: INTERVAL,
      order,
      without,
      withProbe,
      probes,
      completed: roundTrips.length,
      roundTripMs: { p50: quantile(roundTrips, 0.5), p95: quantile(roundTrips, 0.95), max: quantile(roundTrips, 1) },
    }) + '\n',
  );
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
