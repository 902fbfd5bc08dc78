// Issue 21.3's figure: an authenticated API call's p50 while 16 client addresses sign in without
// pause (each with a new email and a wrong password), against its p50 with nobody signing in,
// measured side by side on one built console, several samples (each one quiet then stormed). The
// integration test (auth-floods.test.ts) only bounds the ratio loosely, for a busy CI; this is the
// ratio itself, on the machine and load the section records.
import { startConsole } from '../test/support/console-server';
import { apiLatencies, median, signInAs, signInStormSample, STORM_PROXY_ADDRESS } from '../test/support/sign-in-storm';

export async function authStormBenchmark(opts: { samples?: number; calls?: number } = {}) {
  const samples = opts.samples ?? Number(process.env.BENCH_AUTH_STORM_SAMPLES ?? 5);
  const calls = opts.calls ?? 60;
  // A high per-address limit: the storm keeps checking passwords (the worst case for the API)
  // instead of being answered 429 at once.
  const server = await startConsole({ env: { SESSIONS_AUTOSTART: 'false', TRUSTED_PROXIES: STORM_PROXY_ADDRESS, LOGIN_ADDRESS_MAX_FAILURES: '100000' } });
  try {
    const token = await server.createToken('read');
    await signInAs(server.url, '198.51.99.1', 'warm@storm.test', 'wrong-password');
    await apiLatencies(server.url, token, 20);
    const runs: { quietMs: number; stormMs: number; ratio: number; signIns: number; refused429: number; busy503: number }[] = [];
    for (let i = 0; i < samples; i++) {
      const { quietMs, stormMs, statuses } = await signInStormSample(server.url, token, { calls, sample: i + 1 });
      runs.push({
        quietMs: Number(quietMs.toFixed(2)),
        stormMs: Number(stormMs.toFixed(2)),
        ratio: Number((stormMs / quietMs).toFixed(2)),
        signIns: statuses.length,
        refused429: statuses.filter((s) => s === 429).length,
        busy503: statuses.filter((s) => s === 503).length,
      });
    }
    const ratios = runs.map((r) => r.ratio);
    return {
      method: `built console, SQLite; per sample: ${calls} sequential GET /api/sessions?limit=20 with a read token (p50) with nobody signing in, then the same while 16 client addresses (through a trusted proxy) sign in without pause, each with a new email and a wrong password; ${samples} samples`,
      target: 'p50 under the storm within 2x of quiet (issue 21.3)',
      ratioMedian: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      quietP50MsMedian: median(runs.map((r) => r.quietMs)),
      stormP50MsMedian: median(runs.map((r) => r.stormMs)),
      runs,
    };
  } finally {
    await server.stop();
  }
}
