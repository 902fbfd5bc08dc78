// A PostgreSQL server of the test's own (initdb into a temp folder, another port), for tests that
// stop the database. Never touches the shared server on 5432. initdb refuses to run as root, so
// when we are root the server runs as the `postgres` user (runuser) in a folder it owns.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * The folder of the PostgreSQL server programs (initdb, pg_ctl), found, never assumed: PG_BIN if
 * set, else `pg_config --bindir`, else the newest /usr/lib/postgresql/<version>/bin (Debian keeps
 * the server programs there, off PATH). Throws with what was tried: a test that needs its own
 * server fails with the reason, it never skips silently (docs/testing.md, "What the machine needs").
 */
export function postgresBinDir(): string {
  const tried: string[] = [];
  const usable = (dir: string) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'));
  if (process.env.PG_BIN) {
    if (usable(process.env.PG_BIN)) return process.env.PG_BIN;
    tried.push(`PG_BIN=${process.env.PG_BIN} (no initdb/pg_ctl there)`);
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (usable(dir)) return dir;
    tried.push(`pg_config --bindir = ${dir} (no initdb/pg_ctl there)`);
  } catch {
    tried.push('pg_config (not on PATH)');
  }
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (usable(path.join(debian, v, 'bin'))) return path.join(debian, v, 'bin');
  tried.push(`${debian}/<version>/bin (${versions.length ? `versions ${versions.join(', ')} lack initdb` : 'none installed'})`);
  throw new Error(`PostgreSQL server programs (initdb, pg_ctl) not found; tried ${tried.join('; ')}. Install the server (Debian: postgresql) or set PG_BIN.`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface OwnPostgres {
  port: number;
  /** URL of the `postgres` database (trust auth, user postgres) */
  adminUrl: string;
  /** a URL for a database on this server */
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stops the server and removes its folder */
  destroy(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const BIN = postgresBinDir();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-console-pg-'));
  const data = path.join(root, 'data');
  const sock = path.join(root, 'sock');
  fs.mkdirSync(sock);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await run('chown', ['-R', 'postgres:postgres', root]);
  else fs.chmodSync(root, 0o700);
  const pgRun = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args]) : run(path.join(BIN, cmd), args));
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const log = path.join(root, 'server.log');
  const start = async () => {
    await pgRun('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  };
  const stop = async () => {
    await pgRun('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']);
  };
  await start();
  const url = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    adminUrl: url('postgres'),
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url('postgres') });
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
      return url(name);
    },
    start,
    stop,
    async destroy() {
      await stop().catch(() => {});
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
