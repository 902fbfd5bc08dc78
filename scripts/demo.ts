// The offline demo: the WhatsApp simulator, organization "Demo" with 5 phones paired the real way
// (QR → scan), and the console serving them. Ctrl-C stops both. A second run reuses the pairings.
// NODES=2 (or more): a fleet of console processes on one PostgreSQL database (scripts/demo-fleet.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startSimulator } from '../simulator';
import { createDb, type Db } from '../lib/db/client';
import { SessionManager, settingsFromConfig } from '../lib/sessions/manager';
import { createLogger } from '../lib/logger';
import { getConfig } from '../lib/config';
import { prepareDatabase, prepareEnv, ROOT } from './prepare';

const DEMO_PHONES = ['77050000001', '77050000002', '77050000003', '77050000004', '77050000005'];

/** The device a phone's stored credentials are linked as, or null when they are no link (never paired, or only a pairing code asked for: device 0). */
export function linkedDevice(credsData: string | null | undefined): number | null {
  if (!credsData) return null;
  const creds = JSON.parse(credsData) as { me?: { id?: string }; account?: unknown };
  // A pair-success leaves the phone's signed device identity (account) and "NUMBER:DEVICE@…" in me;
  // Baileys' requestPairingCode writes me as "NUMBER@s.whatsapp.net" before anything is linked.
  const device = Number(/^\d+:(\d+)@/.exec(creds.me?.id ?? '')?.[1] ?? 0);
  return creds.account && device > 0 ? device : null;
}

/** Where the demo's simulator keeps its linked devices (SIM_REGISTRY_FILE, else beside the SQLite file, else in data/ per PostgreSQL database). */
export function simulatorRegistryFile(databaseUrl: string, configured?: string): string {
  if (configured) return path.resolve(ROOT, configured);
  if (databaseUrl.startsWith('file:')) return path.resolve(ROOT, `${databaseUrl.slice(5).replace(/\?.*$/, '')}.simulator-devices.json`);
  const url = new URL(databaseUrl);
  return path.join(ROOT, 'data', `simulator-devices-${url.hostname}-${url.port || 5432}-${url.pathname.slice(1)}.json`.replace(/[^\w.-]/g, '_'));
}

/**
 * The demo's phones: pairs the five demo numbers that never connected (QR → scan), reuses the
 * linked ones, and leaves every other phone as the operator left it: a phone logged out (or whose
 * pairing was never finished) stays unlinked until someone pairs it again, as with WhatsApp.
 * `freshRegistry`: the simulator's registry was just created; devices the database shows linked
 * (by an older demo) are registered there once.
 */
export async function pairMissing(db: Db, simulator: Awaited<ReturnType<typeof startSimulator>>, opts: { freshRegistry?: boolean } = {}) {
  const config = prepareEnv();
  const org = await db.organization.upsert({ where: { name: 'Demo' }, create: { name: 'Demo' }, update: {} });
  for (const [i, number] of DEMO_PHONES.entries()) {
    const phoneJid = `${number}@s.whatsapp.net`;
    await db.organizationPhone.upsert({ where: { phoneJid }, create: { organizationId: org.id, phoneJid, label: `Demo line ${i + 1}` }, update: {} });
  }
  const phones = await db.organizationPhone.findMany({ where: { organizationId: org.id }, include: { authCreds: true }, orderBy: { id: 'asc' } });
  const linked = phones.filter((p) => linkedDevice(p.authCreds?.data) !== null);
  if (opts.freshRegistry && linked.length) {
    simulator.adoptLinked(linked.map((p) => ({ phoneJid: p.phoneJid, device: linkedDevice(p.authCreds!.data)! })));
    console.log(`Simulator: ${linked.length} phones linked by an earlier demo registered in its new device registry.`);
  }
  // Never connected (first run, or a first run stopped before pairing): pair them now.
  const fresh = phones.filter((p) => !linked.includes(p) && !p.lastConnectedAt && DEMO_PHONES.includes(p.phoneJid.split('@')[0]));
  const unlinked = phones.filter((p) => !linked.includes(p) && !fresh.includes(p));
  if (linked.length) {
    console.log(`Reusing ${linked.length} linked demo phones.`);
    // They were connected when the demo stopped; make sure the console starts them.
    await db.organizationPhone.updateMany({ where: { id: { in: linked.map((p) => p.id) }, status: { in: ['closed', 'idle'] } }, data: { status: 'open' } });
  }
  if (unlinked.length) {
    const numbers = unlinked.map((p) => `+${p.phoneJid.split('@')[0]}`).join(', ');
    console.log(`Not linked (logged out or pairing not finished): ${numbers}. Pair again from the phone's row (Pair; in the demo "Simulate scan" does the phone's part).`);
    // Their credentials (if any) are no link: never start them as if they were.
    await db.organizationPhone.updateMany({ where: { id: { in: unlinked.map((p) => p.id) }, status: { notIn: ['logged_out', 'closed'] } }, data: { status: 'closed' } });
  }
  if (!fresh.length) return;
  console.log(`Pairing ${fresh.length} demo phones through the simulator (QR → scan)…`);
  // Left-overs of a pairing that never finished (a code asked for, device 0) would be tried as a login.
  await db.authKey.deleteMany({ where: { phoneId: { in: fresh.map((p) => p.id) } } });
  await db.authCreds.deleteMany({ where: { phoneId: { in: fresh.map((p) => p.id) } } });
  const manager = new SessionManager(db, settingsFromConfig(config), createLogger({ level: 'warn' }));
  await Promise.all(
    fresh.map(
      (phone) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`pairing ${phone.phoneJid} timed out`)), 60_000);
          const off = manager.subscribe((e) => {
            if (e.phoneId !== phone.id) return;
            if (e.type === 'qr') void simulator.scan(phone.phoneJid, e.qr).catch(reject);
            if (e.type === 'state' && e.state === 'open') {
              clearTimeout(timer);
              off();
              resolve();
            }
          });
          void manager.startBaileys(phone.organizationId, phone.id, phone.phoneJid);
        }),
    ),
  );
  // Close the sockets but keep them marked connected: the console starts them again at boot.
  await manager.shutdown();
  console.log('Demo phones paired.');
}

/** The demo's simulator, keeping its linked devices in the demo's data folder (only they log in, across restarts). */
export async function startDemoSimulator(port: number, databaseUrl: string, opts: { idleTimeoutMs?: number } = {}) {
  const registryFile = simulatorRegistryFile(databaseUrl, getConfig().SIM_REGISTRY_FILE);
  const freshRegistry = !fs.existsSync(registryFile);
  const simulator = await startSimulator({ port, registryFile, ...opts }).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? new Error(`The simulator's port ${port} is busy: set SIM_PORT to a free one (e.g. SIM_PORT=3101 npm run demo)`) : err;
  });
  console.log(`WhatsApp simulator: ${simulator.controlUrl} (WebSocket ${simulator.url}); linked devices kept in ${path.relative(ROOT, registryFile) || registryFile}`);
  return { simulator, freshRegistry };
}

/** How to sign in, for the banner printed last: the generated password (this once), or where it is and how to reset it. */
export function signInWith(email: string, generatedPassword: string | null, operatorPassword: boolean, envPrefix = ''): string {
  if (generatedPassword) return `password ${generatedPassword} (generated, shown this once)`;
  if (operatorPassword) return 'the password from ADMIN_PASSWORD';
  return `the password printed when this database's first admin was created (forgot it? run ${envPrefix}npm run -s user -- password ${email} and type a new one)`;
}

/** Resolves once the console process prints that it listens. */
function listening(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-500);
      if (seen.includes('Console listening on')) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
  });
}

/** Waits (at most `maxMs`) until no demo phone is still connecting, so boot's messages come before the banner. */
export async function phonesSettled(databaseUrl: string, maxMs: number): Promise<void> {
  const db = createDb(databaseUrl);
  try {
    const until = Date.now() + maxMs;
    while (Date.now() < until) {
      const busy = await db.organizationPhone.count({ where: { status: { in: ['connecting', 'idle'] } } });
      if (busy === 0) return;
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await db.$disconnect();
  }
}

/**
 * NODES>1: the PostgreSQL database the fleet shares: DATABASE_URL when it names one, else the local
 * server's `wa_console_demo` (postgresql://postgres@127.0.0.1:5432). Created when missing, saying so.
 */
async function fleetDatabase(): Promise<string> {
  const given = process.env.DATABASE_URL;
  if (given?.startsWith('file:')) throw new Error('NODES>1 needs PostgreSQL: unset DATABASE_URL (the demo then uses postgresql://postgres@127.0.0.1:5432/wa_console_demo) or set a postgresql:// one');
  const target = new URL(given || process.env.DEMO_PG_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres');
  if (!given) target.pathname = '/wa_console_demo';
  await ensurePostgresDatabase(target.toString());
  return target.toString();
}

/** Creates the URL's database on its server when missing (connecting to the server's `postgres` database with the same user), with a message either way. */
export async function ensurePostgresDatabase(url: string, log: (line: string) => void = console.log): Promise<'created' | 'exists'> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error(`DATABASE_URL must name a database (letters, digits, _ or -), not "${name}"`);
  const where = `${target.hostname}:${target.port || 5432} (user ${decodeURIComponent(target.username) || 'postgres'})`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `The two-node demo needs a PostgreSQL server at ${where}, and none answered: ${(err as Error).message}.\n` +
        'Start it (Debian: sudo pg_ctlcluster --skip-systemctl-redirect <version> main start, or sudo service postgresql start), or set DATABASE_URL=postgresql://user:password@host:5432/database.',
    );
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) {
      log(`Using the PostgreSQL database ${name} on ${where}.`);
      return 'exists';
    }
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (err) {
      throw new Error(`The PostgreSQL database ${name} does not exist on ${where} and could not be created: ${(err as Error).message}. Create it (createdb ${name}) or use a user that may.`);
    }
    log(`Created the PostgreSQL database ${name} on ${where}; the console's tables come next (migrations).`);
    return 'created';
  } finally {
    await client.end();
  }
}

async function main() {
  // .env first: DATABASE_URL there decides the fleet's database too.
  const dotenv = path.join(ROOT, '.env');
  if (fs.existsSync(dotenv)) process.loadEnvFile(dotenv);
  const nodes = Number(process.env.NODES || 1);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error(`NODES must be a whole number from 1 to 9, not ${process.env.NODES}`);
  if (nodes > 1) {
    process.env.DATABASE_URL = await fleetDatabase();
    const { runFleetDemo } = await import('./demo-fleet');
    return runFleetDemo(nodes);
  }
  const simPort = Number(process.env.SIM_PORT || 3001);
  process.env.WA_WEBSOCKET_URL ||= `ws://127.0.0.1:${simPort}/ws/chat`;
  process.env.SIMULATOR_URL ||= `http://127.0.0.1:${simPort}`;
  // The demo's proxies and webhook receivers run on this machine: internal targets are allowed.
  process.env.OUTBOUND_ALLOW_INTERNAL ||= '127.0.0.0/8,::1';
  // No known demo password: without ADMIN_PASSWORD the first admin gets a generated one, printed
  // once by prepareDatabase(). A password the operator supplied is never printed.
  const operatorPassword = !!process.env.ADMIN_PASSWORD;
  const config = prepareEnv();
  const { simulator, freshRegistry } = await startDemoSimulator(simPort, config.DATABASE_URL);
  const { adminPassword } = await prepareDatabase(config);
  const db = createDb(config.DATABASE_URL);
  await pairMissing(db, simulator, { freshRegistry });
  await db.$disconnect();

  // A person reads this terminal: readable log lines, warnings and errors only (LOG_LEVEL=info shows
  // every step), and the sign-in banner printed last, once the phones have come up.
  process.env.LOG_FORMAT ||= 'pretty';
  process.env.LOG_LEVEL ||= 'warn';
  // scripts/server.ts: Next behind the HTTP edge, on HOST (127.0.0.1 unless set); lib/boot/boot.ts handles the signals.
  const next = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'server.ts')], { cwd: ROOT, env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: 'true' }, stdio: ['ignore', 'pipe', 'inherit'] });
  next.stdout!.pipe(process.stdout);
  // The reset hint names the database when it is not the default one `npm run user` would open.
  const password = signInWith(config.ADMIN_EMAIL, adminPassword, operatorPassword, config.DATABASE_URL === 'file:./data/console.db' ? '' : `DATABASE_URL=${config.DATABASE_URL} `);
  void (async () => {
    await listening(next);
    await phonesSettled(config.DATABASE_URL, 30_000);
    console.log(`\nConsole: ${config.NEXTAUTH_URL} (listening on ${config.HOST}; set HOST=0.0.0.0 to open it to the network)\nSign in as ${config.ADMIN_EMAIL} with ${password}\nCtrl-C stops the console and the simulator.\n`);
  })().catch((err) => console.error(err instanceof Error ? err.message : err));
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    next.kill(signal);
    await new Promise((r) => (next.exitCode === null ? next.once('exit', r) : r(null)));
    await simulator.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  next.on('exit', async (code) => {
    if (stopping) return;
    await simulator.close();
    process.exit(code ?? 1);
  });
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
