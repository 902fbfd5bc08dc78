import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prober, type ProbeTarget } from '../../../lib/health/prober';

/** Targets whose probe holds the event loop for `busyMs` before it goes async, as a socket write does. */
function busyTargets(count: number, busyMs: number, log: { id: number; at: number }[]): ProbeTarget[] {
  return Array.from({ length: count }, (_, id) => ({
    phoneId: id,
    probe: async () => {
      log.push({ id, at: performance.now() });
      const until = performance.now() + busyMs;
      while (performance.now() < until);
    },
  }));
}

test('each phone is probed once per interval even when every probe holds the event loop for three quarters of a gap', async () => {
  // 60 phones in 1.2 s: a probe every 20 ms, each busy for 15 ms. Scheduling each probe a gap after
  // the previous one ran made the round last 2.1 s (at most 34 probes in the interval).
  const log: { id: number; at: number }[] = [];
  const targets = busyTargets(60, 15, log);
  const prober = new Prober({ targets: () => targets, intervalMs: 1200, timeoutMs: 1000 }).start();
  await new Promise((r) => setTimeout(r, 1500));
  prober.stop();
  // Room for a loaded machine (other processes take the core now and then); 34 at most is the old pacing.
  const started = log.filter((p) => p.at - log[0].at < 1200).length;
  assert.ok(started >= 42, `${started} of 60 phones probed in one interval`);
  const firstRound = log.slice(0, 60).map((p) => p.id);
  assert.equal(new Set(firstRound).size, firstRound.length, 'round robin: no phone twice in a round');
});

test('after a stall the probes resume one gap apart, not in a burst', async () => {
  const log: { id: number; at: number }[] = [];
  const targets = busyTargets(100, 0, log);
  const prober = new Prober({ targets: () => targets, intervalMs: 2000, timeoutMs: 1000 }).start();
  await new Promise((r) => setTimeout(r, 100));
  const until = performance.now() + 300; // the event loop stalls for 15 gaps
  while (performance.now() < until);
  const stalledAt = log.length;
  await new Promise((r) => setTimeout(r, 100));
  prober.stop();
  // ~5 probes in the 100 ms after the stall (20 ms gaps), not the 15 the stall skipped on top.
  const after = log.length - stalledAt;
  assert.ok(after <= 8, `${after} probes in the 100 ms after a 300 ms stall`);
});
