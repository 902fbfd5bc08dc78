// A real console for HTTP tests: a fresh database, scripts/server.ts on a free port (using the built
// .next), the first admin created, helpers to sign in and to make tokens. stop() kills and drops.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './databases';
import { ensureFirstAdmin, createUser } from '../../lib/auth/users';
import { createToken } from '../../lib/auth/tokens';
import type { DbProvider } from '../../lib/db/provider';
import type { Db } from '../../lib/db/client';
import { testEngine } from './test-engine';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ConsoleServer {
  /** changes after restart(): each start binds a new free port */
  readonly url: string;
  /** The console process (for RSS and signals); changes after restart(). */
  readonly pid: number;
  db: Db;
  databaseUrl: string;
  provider: DbProvider;
  adminEmail: string;
  adminPassword: string;
  output: () => string;
  login(email?: string, password?: string): Promise<string>;
  createToken(scope?: 'admin' | 'read'): Promise<string>;
  createViewer(): Promise<{ email: string; password: string }>;
  /** SIGTERM, wait for the process to exit by itself (the database stays), then start it again on it. */
  restart(): Promise<void>;
  /** How the last stopped process ended: its exit code, or the signal that killed it. */
  lastExit(): { code: number | null; signal: NodeJS.Signals | null } | null;
  stop(): Promise<void>;
  /** SIGKILL: a crash (the database is kept when it was passed in) */
  kill(): Promise<void>;
}

/** The product closes its sessions within 15 s of SIGTERM (lib/boot/boot.ts); only after more than that is the process killed. */
const STOP_DEADLINE_MS = 30_000;

/**
 * A port that was free a moment ago. Another process may bind it before the caller does: use it
 * only where a bind failure is retried (startConsole retries `next start` on EADDRINUSE).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

class PortTaken extends Error {}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      if (/EADDRINUSE/.test(output())) throw new PortTaken();
      throw new Error(`console exited early:\n${output()}`);
    }
    try {
      // scripts/server.ts prints "Console listening on <url>" once this process listens (`next
      // start` prints "Ready in"): the port is its own, not another's that took it in between
      // (whose health would answer too).
      const res = await fetch(`${url}/api/health`);
      if (res.ok && (output().includes(`Console listening on ${url}`) || /Ready in/.test(output()))) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`console did not become healthy:\n${output()}`);
}

/**
 * Spawns scripts/server.ts (Next behind the HTTP edge, as `npm start` runs it) on a free port and
 * resolves once /api/health answers and the process printed its own "listening" line. A port
 * taken in between (EADDRINUSE) is retried with another, up to 5 times. `env(url, port, attempt)`
 * gives the process's settings on top of the test defaults; `onOutput` receives its stdout and stderr.
 */
export async function spawnServer(
  env: (url: string, port: number, attempt: number) => Record<string, string>,
  onOutput: (chunk: string) => void,
  timeoutMs = 120_000,
): Promise<{ proc: ChildProcess; url: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const at = `http://127.0.0.1:${port}`;
    let own = '';
    // CONSOLE_NODE_ARGS: extra Node options for the console (e.g. --cpu-prof, which NODE_OPTIONS refuses).
    const nodeArgs = (process.env.CONSOLE_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'scripts', 'server.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_MANUAL_SIG_HANDLE: 'true', // as scripts/start.ts: lib/boot/boot.ts closes the sessions, then exits
        HOST: '127.0.0.1',
        PORT: String(port),
        NEXTAUTH_URL: at,
        NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
        LOG_LEVEL: process.env.TEST_CONSOLE_LOG_LEVEL ?? 'warn',
        // every test proxy and webhook receiver listens on loopback (refused by default)
        OUTBOUND_ALLOW_INTERNAL: '127.0.0.0/8,::1',
        ...env(at, port, attempt),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const take = (d: Buffer) => {
      own += d;
      onOutput(String(d));
    };
    proc.stdout!.on('data', take);
    proc.stderr!.on('data', take);
    try {
      await waitForHealth(at, proc, () => own, timeoutMs);
      return { proc, url: at };
    } catch (err) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await new Promise((r) => proc.once('exit', r));
      }
      if (!(err instanceof PortTaken) || attempt >= 5) throw err;
    }
  }
}

/** Signs in through NextAuth's credentials flow and returns the Cookie header to send. */
export async function signIn(url: string, email: string, password: string): Promise<{ status: number; cookie: string }> {
  const csrfRes = await fetch(`${url}/api/auth/csrf`);
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  keep(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-auth-return-redirect': '1',
    },
    body: new URLSearchParams({ email, password, csrfToken, json: 'true', callbackUrl: url }),
  });
  keep(res);
  return { status: res.status, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
}

export async function startConsole(opts: { provider?: DbProvider; env?: Record<string, string>; pgAdminUrl?: string; database?: TestDatabase } = {}): Promise<ConsoleServer> {
  const provider = opts.database?.provider ?? opts.provider ?? 'sqlite';
  // A database passed in belongs to the caller (e.g. to start a second console on it): not dropped.
  const ownDatabase = !opts.database;
  const database: TestDatabase = opts.database ?? (await createTestDatabase(provider, opts.pgAdminUrl));
  const adminEmail = 'admin@test.local';
  const adminPassword = crypto.randomBytes(9).toString('base64url');
  await ensureFirstAdmin(database.db, { email: adminEmail, password: adminPassword, cost: 4 });
  let url = '';
  let child: ChildProcess | null = null;
  let log = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const output = () => log;
  /** Starts the console on a free port (spawnServer: retried on EADDRINUSE, accepted on its own line). */
  const launch = async () => {
    const started = await spawnServer(
      (at, port) => ({
        PORT: String(port),
        DATABASE_URL: database.url,
        NEXTAUTH_URL: at,
        NEXTAUTH_SECRET: secret,
        // the auth matrix (http-auth.test.ts) sends a forged token to every route from one address;
        // token-throttle.test.ts tests the default limit with its own setting
        TOKEN_MAX_FAILURES: '100000',
        // the engine matrix (TEST_ENGINE): phones the API creates get that engine
        ...(testEngine() ? { DEFAULT_ENGINE: testEngine() } : {}),
        ...opts.env,
      }),
      (d) => (log += d),
    );
    child = started.proc;
    url = started.url;
  };
  /** SIGTERM; the process must exit by itself within the product's deadline, else it is killed. */
  const terminate = async () => {
    const proc = child;
    child = null;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_DEADLINE_MS);
      await exited;
      clearTimeout(timer);
    }
    exit = { code: proc.exitCode, signal: proc.signalCode };
  };
  const secret = crypto.randomBytes(24).toString('hex');
  try {
    await launch();
  } catch (err) {
    if (ownDatabase) await database.drop();
    throw err;
  }
  let stopped = false;
  return {
    get url() {
      return url;
    },
    get pid() {
      return child?.pid ?? -1;
    },
    db: database.db,
    databaseUrl: database.url,
    provider,
    adminEmail,
    adminPassword,
    output,
    async login(email = adminEmail, password = adminPassword) {
      const { cookie } = await signIn(url, email, password);
      if (!cookie.includes('session-token')) throw new Error('sign-in failed');
      return cookie;
    },
    async createToken(scope = 'admin') {
      return (await createToken(database.db, { name: `test-${scope}-${crypto.randomBytes(3).toString('hex')}`, scopes: [scope] })).token;
    },
    async createViewer() {
      const email = `viewer-${crypto.randomBytes(3).toString('hex')}@test.local`;
      const password = crypto.randomBytes(9).toString('base64url');
      await createUser(database.db, { email, password, role: 'viewer' }, 4);
      return { email, password };
    },
    async restart() {
      await terminate();
      await launch();
    },
    lastExit: () => exit,
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate();
      if (ownDatabase) await database.drop();
    },
    async kill() {
      if (stopped) return;
      stopped = true;
      const proc = child;
      child = null;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGKILL');
        await exited;
      }
      if (proc) exit = { code: proc.exitCode, signal: proc.signalCode };
      if (ownDatabase) await database.drop();
    },
  };
}
