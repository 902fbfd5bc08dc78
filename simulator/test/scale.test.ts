// 200 phones connect concurrently to one simulator and all reach `open`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../index';
import { pairPhone, connect, trackUnhandled, type Client } from './helpers';

test('200 simulated phones connect concurrently and all open', async (t) => {
  const unhandled = trackUnhandled();
  const sim = await startSimulator({ port: 0 });
  t.after(async () => {
    await sim.close();
    unhandled.stop();
  });
  const N = 200;
  // Pair in batches (pairing is the expensive, once-only part), then log all in at once.
  const auths = [];
  const pairingStarted = Date.now();
  for (let i = 0; i < N; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, N - i) }, async (_, j) => {
        const c = await pairPhone(sim, `7701${String(i + j).padStart(7, '0')}`);
        c.sock.end(undefined);
        await c.closed;
        return c.auth;
      }),
    );
    auths.push(...batch);
  }
  const pairingMs = Date.now() - pairingStarted;
  // The claim is that all open, not how fast: the deadline follows this machine's speed, measured
  // by the pairing just done (200 logins at once on a 2-CPU machine at load 11 took over 60 s).
  const deadlineMs = Math.max(60_000, 3 * pairingMs);
  const started = Date.now();
  const clients: Client[] = auths.map((auth) => connect(sim.url, auth));
  await Promise.all(clients.map((c) => c.next((u) => u.connection === 'open', deadlineMs)));
  t.diagnostic(`${N} logins open in ${Date.now() - started} ms (pairing took ${pairingMs} ms; deadline ${deadlineMs} ms)`);
  const phones = sim.phones();
  assert.equal(phones.length, N);
  assert.ok(phones.every((p) => p.connections === 1));
  await Promise.all(clients.map((c) => (c.sock.end(undefined), c.closed)));
  assert.deepEqual(unhandled.seen, []);
});
