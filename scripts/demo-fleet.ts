// `NODES=2 npm run demo`: the demo as a fleet. N console processes (scripts/server.ts, as `npm start`
// runs it) on one PostgreSQL database (DATABASE_URL, set by scripts/demo.ts) and one simulator, on
// consecutive free ports from PORT (3000) skipping the simulator's SIM_PORT (3001): 3000, 3002, 3003…
// It prints every change of a phone's owner and every node that joins or leaves, so a person can
// stop one node (`kill <pid>`: drain, phones move at once; `kill -9 <pid>`: failover as soon as
// PostgreSQL sees its connections end, docs/fleet.md), start it again with the command it prints,
// and watch the phones move. The simulator stays up while any node of the fleet runs, the ones
// started again by hand included (their phones would be stranded without it); the demo ends when
// none is left, or on Ctrl-C.
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { createDb } from '../lib/db/client';
import { prepareDatabase, prepareEnv, ROOT } from './prepare';
import { pairMissing, phonesSettled, signInWith, startDemoSimulator } from './demo';

/** Whether nothing listens on the port yet (a busy port is skipped). */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, process.env.HOST || '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** The simulator drops a connection silent this long (a frozen node's sockets); keep-alives beat it. */
const IDLE_TIMEOUT_MS = 15_000;

export async function runFleetDemo(count: number) {
  const simPort = Number(process.env.SIM_PORT || 3001);
  const basePort = Number(process.env.PORT || 3000);
  process.env.WA_WEBSOCKET_URL ||= `ws://127.0.0.1:${simPort}/ws/chat`;
  process.env.SIMULATOR_URL ||= `http://127.0.0.1:${simPort}`;
  process.env.KEEPALIVE_INTERVAL_MS ||= '5000';
  process.env.OUTBOUND_ALLOW_INTERNAL ||= '127.0.0.0/8,::1'; // the demo's proxies and receivers are local
  // A person reads this terminal: readable warnings and errors from every node (LOG_LEVEL=info shows every step).
  process.env.LOG_FORMAT ||= 'pretty';
  process.env.LOG_LEVEL ||= 'warn';
  const operatorPassword = !!process.env.ADMIN_PASSWORD;
  const config = prepareEnv();
  const { simulator, freshRegistry } = await startDemoSimulator(simPort, config.DATABASE_URL, { idleTimeoutMs: IDLE_TIMEOUT_MS });
  const { adminPassword } = await prepareDatabase(config);
  const db = createDb(config.DATABASE_URL);
  await pairMissing(db, simulator, { freshRegistry });
  await db.$disconnect();

  const ports: number[] = [];
  for (let p = basePort; ports.length < count && p < basePort + 100; p++) if (p !== simPort && (await portFree(p))) ports.push(p);
  if (ports.length < count) throw new Error(`no ${count} free ports from ${basePort}`);
  // The nodes' shared bus key (docs/fleet.md): the one given, or a new one for this demo.
  process.env.FLEET_BUS_KEY ||= crypto.randomBytes(32).toString('base64url');
  const shared = `DATABASE_URL=${config.DATABASE_URL} WA_WEBSOCKET_URL=${process.env.WA_WEBSOCKET_URL} SIMULATOR_URL=${process.env.SIMULATOR_URL} KEEPALIVE_INTERVAL_MS=${process.env.KEEPALIVE_INTERVAL_MS} OUTBOUND_ALLOW_INTERNAL=${process.env.OUTBOUND_ALLOW_INTERNAL} LOG_FORMAT=${process.env.LOG_FORMAT} LOG_LEVEL=${process.env.LOG_LEVEL} FLEET_BUS_KEY=${process.env.FLEET_BUS_KEY}`;
  const nodes = new Map<number, ChildProcess>();
  const ownIds = new Set(ports.map((port) => `demo_${port}`));
  // Prints each change of owner, read from the database the nodes share (below).
  const watcher = new pg.Client({ connectionString: config.DATABASE_URL });
  await watcher.connect();
  let stopping = false;
  /** The fleet's live nodes by their leases (the database's clock): the demo's and any started by hand. */
  const liveNodes = async () =>
    (await watcher.query<{ id: string }>(`SELECT "id" FROM "FleetNode" WHERE "leaseExpiresMs" > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint ORDER BY "id"`)).rows.map((r) => r.id);
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of nodes.values()) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await Promise.all([...nodes.values()].map((c) => new Promise((r) => (c.exitCode === null && c.signalCode === null ? c.once('exit', r) : r(null)))));
    const outside = (await liveNodes().catch(() => [])).filter((n) => !ownIds.has(n));
    if (outside.length) console.log(`[fleet] still running, started outside the demo: ${outside.join(', ')}. The simulator stops now, so stop them too (Ctrl-C in their terminals).`);
    await watcher.end().catch(() => {});
    await simulator.close();
    process.exit(0);
  };
  for (const port of ports) {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'server.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), NEXTAUTH_URL: `http://localhost:${port}`, NODE_ID: `demo_${port}`, NEXT_MANUAL_SIG_HANDLE: 'true' },
      stdio: 'inherit',
      // Its own process group: Ctrl-C in the terminal reaches the demo only, which passes it on
      // once (a node that got the terminal's SIGINT and the demo's would die before draining).
      detached: true,
    });
    nodes.set(port, child);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      const how =
        signal === 'SIGKILL' || (code !== 0 && code !== null)
          ? `${signal ?? `exit ${code}`}: the other nodes open its phones once PostgreSQL sees its connections end, within seconds`
          : 'drained: its phones open on the other nodes at once';
      console.log(`\n[fleet] node demo_${port} (pid ${child.pid}) stopped (${how}).`);
      // No NODE_ID: a restarted process is a new node (a fixed id would be refused while the old lease lives).
      console.log(`[fleet] start it again (in another terminal): ${shared} PORT=${port} npm start`);
    });
  }
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  // Wait for every node to answer, then print where to look.
  await Promise.all(
    ports.map(async (port) => {
      for (let i = 0; i < 600 && !stopping; i++) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
        } catch {
          // not yet
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }),
  );
  const owners = new Map<string, string>();
  let fleetNodes: string[] = [];
  let alone = false;
  const watchNodes = async () => {
    const live = await liveNodes();
    const joined = live.filter((n) => !fleetNodes.includes(n));
    const left = fleetNodes.filter((n) => !live.includes(n));
    if (joined.length) console.log(`[fleet] ${new Date().toISOString().slice(11, 19)} node${joined.length > 1 ? 's' : ''} joined: ${joined.join(', ')}`);
    if (left.length) console.log(`[fleet] ${new Date().toISOString().slice(11, 19)} node${left.length > 1 ? 's' : ''} left: ${left.join(', ')}`);
    fleetNodes = live;
    const ownRunning = [...nodes.values()].some((c) => c.exitCode === null && c.signalCode === null);
    if (ownRunning) return;
    // A killed node of the demo's keeps its lease row until the lease ends: it is not a node that runs.
    const others = live.filter((n) => !ownIds.has(n));
    if (!live.length) {
      console.log('[fleet] no console node runs any more: the demo stops the simulator and ends.');
      void stop('SIGTERM');
    } else if (others.length && !alone) {
      alone = true;
      console.log(`[fleet] the demo's own nodes have stopped, but ${others.join(', ')} still run${others.length > 1 ? '' : 's'}: the simulator stays up for their phones. Ctrl-C stops it.`);
    }
  };
  const watch = async () => {
    const { rows } = await watcher.query<{ phoneJid: string; nodeId: string | null }>(
      `SELECT p."phoneJid", o."nodeId" FROM "OrganizationPhone" p LEFT JOIN "PhoneOwner" o ON o."phoneId" = p."id" ORDER BY p."id"`,
    );
    const changes: string[] = [];
    for (const r of rows) {
      const now = r.nodeId ?? '(no owner)';
      const before = owners.get(r.phoneJid);
      if (before !== now) changes.push(`+${r.phoneJid.split('@')[0]}: ${before ? `${before} → ` : ''}${now}`);
      owners.set(r.phoneJid, now);
    }
    if (changes.length) console.log(`[fleet] ${new Date().toISOString().slice(11, 19)} owners: ${changes.join(', ')}`);
  };
  // Boot's warnings come before the banner: it is the last thing printed until something happens.
  await phonesSettled(config.DATABASE_URL, 30_000).catch(() => {});
  // Who owns what now, and the nodes as they are: later lines are changes only.
  await watch().catch(() => {});
  fleetNodes = await liveNodes().catch(() => []);
  const password = signInWith(config.ADMIN_EMAIL, adminPassword, operatorPassword, `DATABASE_URL=${config.DATABASE_URL} `);
  console.log(`\nA fleet of ${count} console nodes on ${config.DATABASE_URL.replace(/\/\/[^@]*@/, '//…@')}:`);
  for (const [port, child] of nodes) console.log(`  node demo_${port}: http://localhost:${port}  (pid ${child.pid})`);
  console.log(`Sign in on any of them as ${config.ADMIN_EMAIL} with ${password}.`);
  console.log('Stop one node — kill <pid> (drain: its phones move at once) or kill -9 <pid> (failover: within seconds, once PostgreSQL sees its connections end) — and watch the phones move.');
  console.log('The simulator stays up while any node runs. Ctrl-C stops every node and the simulator.\n');

  while (!stopping) {
    await watch().catch(() => {});
    await watchNodes().catch(() => {});
    await new Promise((r) => setTimeout(r, 1000));
  }
}
