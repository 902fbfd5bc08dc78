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
