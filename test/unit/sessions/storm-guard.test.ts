// The storm guard under a flood (issue 25.6: "100,000 Bad MACs an hour cost bounded CPU and
// memory"; Baileys #2234: 168,000 in two hours ran a process out of memory). An hour of failures
// from up to 100,000 senders (more than the guard tracks): at most REPAIRS_PER_SENDER_PER_MINUTE repairs
// per sender in any minute, the rest counted as suppressed, the guard's entries capped, and the
// heap after the hour within a few MB of the heap before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RepairGuard } from '../../../lib/sessions/repair-guard';
import { heapAfterGc } from '../../support/heap';

const heap = heapAfterGc;

test('100,000 Bad MACs in an hour from up to 100,000 senders: repairs per sender per minute capped, memory bounded', () => {
  const PER_MINUTE = 3;
  const MAX_SENDERS = 10_000;
  const FAILURES = 100_000;
  const SENDERS = 100_000;
  let now = 0;
  const guard = new RepairGuard(PER_MINUTE, MAX_SENDERS, () => now);
  const before = heap();
  // repairs per (sender, the minute its window started) — kept small: a counter per sender's current window
  const windows = new Map<number, { start: number; repairs: number }>();
  let repairs = 0;
  let maxInWindow = 0;
  for (let i = 0; i < FAILURES; i++) {
    now = Math.floor((i * 3600_000) / FAILURES); // evenly over the hour
    // A storm is uneven: a tenth of the failures come from 10 senders, the rest spread wide.
    const sender = i % 10 === 0 ? i % 100 : 100 + ((i * 7919) % (SENDERS - 100));
    if (!guard.allow(`${sender}@s.whatsapp.net`)) continue;
    repairs++;
    let w = windows.get(sender);
    if (!w || now - w.start >= 60_000) windows.set(sender, (w = { start: now, repairs: 0 }));
    maxInWindow = Math.max(maxInWindow, ++w.repairs);
  }
  windows.clear();
  const grown = heap() - before;

  assert.ok(maxInWindow <= PER_MINUTE, `at most ${PER_MINUTE} repairs per sender per minute (saw ${maxInWindow})`);
  assert.equal(repairs + guard.suppressed, FAILURES, 'every failure is either repaired or counted as suppressed');
  assert.equal(guard.repaired, repairs);
  assert.ok(guard.suppressed > 0, 'the hot senders were held back');
  // The hot senders alone (10 senders × 60 minutes) may repair at most 1,800 times of their 10,000 failures.
  assert.ok(repairs <= FAILURES - 10_000 + 10 * 60 * PER_MINUTE, `repairs ${repairs}`);
  assert.ok(guard.size <= MAX_SENDERS, `the guard tracks at most ${MAX_SENDERS} senders (${guard.size})`);
  // 10,000 entries of a short key and two numbers are about 2 MB; a map of every sender seen (about
  // 90,000 here) measured 11 MB, a record per failure would be more.
  assert.ok(grown < 6 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MB`);
});
