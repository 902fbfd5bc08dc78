// `npm run demo` (scripts/demo.ts) as a child of a test: on loopback ports of the test's choosing,
// with its own sign-in secret and none of the caller's simulator settings (the demo starts its
// own simulator), its output (and that of any process the test adds) collected in one string.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface DemoProcess {
  child: ChildProcess;
  /** The environment the demo was started with (a node started by hand reuses it). */
  env: NodeJS.ProcessEnv;
  /** Everything printed so far, stdout and stderr interleaved. */
  output: string;
  /** Adds another process's output to `output`. */
  collect(other: ChildProcess): void;
}

export function spawnDemo(opts: { port: number; simPort: number; databaseUrl: string; password: string; env?: Record<string, string | undefined> }): DemoProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(opts.port),
    SIM_PORT: String(opts.simPort),
    DATABASE_URL: opts.databaseUrl,
    NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
    ADMIN_PASSWORD: opts.password,
    LOG_LEVEL: 'warn',
    WA_WEBSOCKET_URL: undefined,
    SIMULATOR_URL: undefined,
    ...opts.env,
  };
  delete env.HOST;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'demo.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const demo: DemoProcess = {
    child,
    env,
    output: '',
    collect(other) {
      other.stdout?.on('data', (d) => (demo.output += d));
      other.stderr?.on('data', (d) => (demo.output += d));
    },
  };
  demo.collect(child);
  return demo;
}

/** The repository's root, for tests that start the project's scripts themselves. */
export const REPO_ROOT = ROOT;
