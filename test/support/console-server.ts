// A real console for HTTP tests: a fresh database, `next start` on a free port (using the built
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

const ROOT = path.resolve(__dirname, '..', '..');

export interface ConsoleServer {
  url: string;
  db: Db;
  databaseUrl: string;
  provider: DbProvider;
  adminEmail: string;
  adminPassword: string;
  output: () => string;
  login(email?: string, password?: string): Promise<string>;
  createToken(scope?: 'admin' | 'read'): Promise<string>;
  createViewer(): Promise<{ email: string; password: string }>;
  stop(): Promise<void>;
  /** SIGKILL: a crash (the database is kept when it was passed in) */
  kill(): Promise<void>;
}

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

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`console exited early:\n${output()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`console did not become healthy:\n${output()}`);
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

export async function startConsole(opts: { provider?: DbProvider; env?: Record<string, string>; database?: TestDatabase } = {}): Promise<ConsoleServer> {
  const provider = opts.database?.provider ?? opts.provider ?? 'sqlite';
  // A database passed in belongs to the caller (e.g. to start a second console on it): not dropped.
  const ownDatabase = !opts.database;
  const database: TestDatabase = opts.database ?? (await createTestDatabase(provider));
  const adminEmail = 'admin@test.local';
  const adminPassword = crypto.randomBytes(9).toString('base64url');
  await ensureFirstAdmin(database.db, { email: adminEmail, password: adminPassword, cost: 4 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_MANUAL_SIG_HANDLE: 'true', // as scripts/start.ts: lib/boot.ts closes the sessions, then exits
      PORT: String(port),
      DATABASE_URL: database.url,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
      LOG_LEVEL: process.env.TEST_CONSOLE_LOG_LEVEL ?? 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const output = () => log;
  try {
    await waitForHealth(url, child, output);
  } catch (err) {
    child.kill('SIGKILL');
    if (ownDatabase) await database.drop();
    throw err;
  }
  let stopped = false;
  return {
    url,
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
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (ownDatabase) await database.drop();
    },
    async kill() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      if (ownDatabase) await database.drop();
    },
  };
}
