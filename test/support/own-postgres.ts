// A PostgreSQL server of the test's own (initdb into a temp folder, another port), for tests that
// stop the database. Never touches the shared server on 5432. initdb refuses to run as root, so
// when we are root the server runs as the `postgres` user (runuser) in a folder it owns.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

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
