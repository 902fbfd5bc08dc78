// lib/config.ts is where each variable, its bounds and its default are defined; README's
// configuration table and .env.example describe them for people. This keeps the three in step:
// a variable added, renamed or given another default fails here until both documents say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, parseConfig } from '../../../lib/config';

const root = path.resolve(__dirname, '../../..');
/** Node's own (next build and next start set it): not the console's to document. */
const NOT_OURS = new Set(['NODE_ENV']);
const ours = CONFIG_VARIABLES.filter((v) => !NOT_OURS.has(v));

/** README's configuration rows: each variable named in a row's first cell → that row's default cell (split like the names, `A` / `B`). */
function readmeDefaults(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n')) {
    const m = /^\| ((?:`[A-Z][A-Z0-9_]+`(?: \/ )?)+) \| ([^|]*) \|/.exec(line);
    if (!m) continue;
    const names = [...m[1].matchAll(/`([A-Z0-9_]+)`/g)].map((x) => x[1]);
    const cells = m[2].split(' / ').map((x) => x.trim());
    names.forEach((name, i) => rows.set(name, cells.length === names.length ? cells[i] : m[2].trim()));
  }
  return rows;
}

test('README: every variable has a row, and a row shows the default lib/config.ts gives', () => {
  const rows = readmeDefaults();
  const defaults = parseConfig({}) as Record<string, unknown>;
  assert.deepEqual(ours.filter((v) => !rows.has(v)), [], 'variables without a row in README.md');
  assert.deepEqual([...rows.keys()].filter((v) => !CONFIG_VARIABLES.includes(v as never)), [], 'README rows of variables lib/config.ts does not read');
  for (const v of ours) {
    const value = defaults[v];
    const shown = Array.isArray(value) ? value.join(',') : value;
    // No default (unset, or derived at start like DB_IDLE_IN_TRANSACTION_MS): README says what happens in words.
    if (shown === undefined || shown === '') continue;
    assert.match(rows.get(v)!, new RegExp(`^\`${String(shown).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``), `${v}: README shows ${rows.get(v)}, the default is ${String(shown)}`);
  }
});

test('.env.example names every variable (set or commented out)', () => {
  const named = new Set(
    fs.readFileSync(path.join(root, '.env.example'), 'utf8').split('\n').flatMap((line) => /^#? ?([A-Z][A-Z0-9_]+)=/.exec(line)?.[1] ?? []),
  );
  assert.deepEqual(ours.filter((v) => !named.has(v)), [], 'variables .env.example does not name');
  assert.deepEqual([...named].filter((v) => !CONFIG_VARIABLES.includes(v as never)), [], '.env.example names variables lib/config.ts does not read');
});
