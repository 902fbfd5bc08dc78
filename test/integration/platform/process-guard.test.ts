// The process guard in a real Node process: an unknown fault ends the process non-zero (logged at
// fatal); a rejection Baileys/libsignal is known to leave unawaited is contained and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { FATAL_EXIT_CODE } from '../../../lib/sessions/process-guard';
import { CONTAINED_KINDS } from '../../../lib/sessions/contained-kinds';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'guard-process.ts');

function run(mode: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (re: RegExp, timeoutMs = 120_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const check = () => {
        const m = re.exec(output);
        if (m) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(m);
        }
      };
      child.stdout.on('data', check);
      void exited.then(() => {
        check();
        clearTimeout(timer);
        reject(new Error(`process exited before ${re}:\n${output}`));
      });
      check();
    });
  return { child, exited, waitFor, output: () => output };
}

/** The pino JSON lines of the output. */
const logLines = (output: string) =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; origin?: string; err?: { message?: string } });

for (const mode of ['unknown-rejection', 'uncaught']) {
  test(`an unknown fault (${mode}) is logged at fatal and the process exits non-zero`, async () => {
    const p = run(mode);
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 120_000);
    const code = await p.exited;
    clearTimeout(timer);
    assert.equal(code, FATAL_EXIT_CODE, p.output());
    const fatal = logLines(p.output()).filter((l) => l.level === 60);
    assert.equal(fatal.length, 1, p.output());
    assert.equal(fatal[0].origin, mode === 'uncaught' ? 'uncaughtException' : 'unhandledRejection');
    assert.match(fatal[0].err?.message ?? '', mode === 'uncaught' ? /reading 'id'/ : /a bug in the console/);
  });
}

test("libsignal's unawaited 'No sessions' is contained, counted, and the process stays alive", async () => {
  const p = run('known');
  try {
    const contained = await p.waitFor(/CONTAINED (.*)\n/);
    assert.deepEqual(JSON.parse(contained[1]), [{ kind: 'no-sessions', value: 1 }]);
    const kinds = await p.waitFor(/KINDS (.*)\n/);
    assert.deepEqual(JSON.parse(kinds[1]).sort(), [...CONTAINED_KINDS].sort(), 'every kind is exported, starting at 0');
    // Still running after the rejection: it answers a signal with its own handler, not the guard.
    assert.equal(p.child.exitCode, null);
    p.child.kill('SIGTERM');
    await p.waitFor(/stopping on SIGTERM/);
    assert.equal(await p.exited, 0, p.output());
    assert.equal(logLines(p.output()).filter((l) => l.level === 60).length, 0, 'nothing fatal');
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
});
