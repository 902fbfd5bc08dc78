// A private PostgreSQL 15 cluster for tests that need an outage (the shared one on 5432 is never
// stopped): initdb into a temp folder, started on a free port with its socket in the temp folder,
// stopped and started again at will, removed at the end. Runs as `postgres` when we are root.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './console-server';

const BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface OwnPostgres {
  port: number;
  /** URL of the `postgres` database (trust auth, user postgres). */
  adminUrl: string;
  start(): void;
  stop(): void;
  remove(): void;
}

function run(args: string[]) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, ...rest] = asRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
  execFileSync(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-console-pg-'));
  const data = path.join(root, 'data');
  const socket = path.join(root, 'socket');
  fs.mkdirSync(socket);
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', root]);
  fs.chmodSync(root, 0o755);
  run([path.join(BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const pg: OwnPostgres = {
    port,
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start() {
      run([path.join(BIN, 'pg_ctl'), '-D', data, '-w', '-t', '120', '-l', path.join(root, 'log'), '-o', `-p ${port} -k ${socket} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`, 'start']);
    },
    stop() {
      run([path.join(BIN, 'pg_ctl'), '-D', data, '-w', '-t', '120', '-m', 'fast', 'stop']);
    },
    remove() {
      try {
        pg.stop();
      } catch {
        // already stopped
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  pg.start();
  return pg;
}
