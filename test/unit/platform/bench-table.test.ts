// Issue 23.11: the README's benchmark table is exactly what bench/table.ts renders from
// bench/results.json: a figure edited by hand, or results.json changed without
// `npx tsx bench/table.ts --write`, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { benchTable, readmeTable } from '../../../bench/table';

const ROOT = path.resolve(__dirname, '..', '..', '..');

test('README benchmark table = bench/table.ts rendering of bench/results.json', () => {
  const results = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'results.json'), 'utf8'));
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  assert.equal(readmeTable(readme), benchTable(results), 'run `npx tsx bench/table.ts --write` after changing bench/results.json; never edit the table by hand');
});

// Issue 25: density rows of engines besides baileys-6 (result.engines) are rendered after
// baileys-6's, named by engine and compared with bare Baileys of their own version.
test('density section with result.engines renders baileys-7 rows against bare Baileys 7', () => {
  const metrics = { allOpenMs: 1000, loginCpuMs: 500, rssMb: 300, perSessionMb: 1, heapPerSessionMb: 0.3, eldIdleP99Ms: 10, idleCpuMsPerSessionPerMin: 20, eldTrafficP99Ms: 20 };
  const side = (scale: number) => {
    const m = Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v * scale]));
    return { ...m, spread: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { min: v, max: v, relative: 0 }])) };
  };
  const row = (engine: string, n: number, scale: number) => ({
    n,
    engine,
    samples: 1,
    manager: side(scale),
    bare: side(1),
    ratio: { time: scale, loginCpu: scale, memory: scale, heap: scale, idleCpu: scale },
    runs: [],
  });
  const section = (engines: object) => ({
    date: '2026-12-07T00:00:00.000Z',
    commit: '0000000000',
    command: 'test',
    durationSec: 1,
    loadAvg1mBefore: 0,
    loadAvg1mAfter: 0,
    machine: 'test',
    result: { idleMs: 30_000, rows: [row('baileys-6', 500, 1.1)], engines },
  });
  const without = benchTable({ density: section({}) }).split('\n');
  const lines = benchTable({ density: section({ 'baileys-7': { rows: [row('baileys-7', 500, 2)] } }) }).split('\n');
  const seven = lines.filter((l) => l.startsWith('| 1. baileys-7: '));
  assert.equal(seven.length, 6, 'time, login CPU, RSS, heap, idle CPU, event-loop delay');
  assert.match(seven[0], /bare Baileys 7 \+ files 1\.00 s/);
  assert.match(seven.find((l) => l.includes('RSS per session'))!, /≤ 1\.15 at 500 — \*\*missed\*\*/);
  // baileys-6's rows are the same with or without the other engine.
  assert.deepEqual(lines.filter((l) => l.startsWith('| 1. ') && !l.startsWith('| 1. baileys-7: ')), without.filter((l) => l.startsWith('| 1. ')));
});
