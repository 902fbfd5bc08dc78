// Benchmark 3: the sessions API under a live fleet (issue 28.3, 28.4). A built console (`next
// start`) holds `open` phones (default 200) paired through its own API against the simulator, while
// the simulator drops one live connection every 1/rate s (default 5 a second: each drop is a close
// and a reconnect the list has to show). With 1,000 and 10,000 rows in total (the rest closed),
// autocannon measures, with a read-scoped bearer token:
//   - baseline: GET /api/bench-baseline, a bare route handler that returns a constant (no auth, no
//     database: Next's own floor on the same server; on only with BENCH_BASELINE_ROUTE=1),
//   - stats: GET /api/sessions/:id/stats and phone: GET /api/sessions/:id (authenticated reads),
//   - list: one page of GET /api/sessions (`limit` is probed; else the whole list),
//   - wholeList: GET /api/sessions without paging (the seed's plain array, streamed).
// Each route runs `samples` times (default 3), the order of the routes reversed every other
// sample, so no route always meets the machine's quieter or busier moments. Each figure is the
// median with its range; each route's ratio to the baseline is the median of the per-sample
// ratios (route and baseline of the same sample round), with their range.
import os from 'node:os';
import autocannon from 'autocannon';
import { startSimulator } from '../simulator';
import { startConsole } from '../test/support/console-server';
import { trackOpenPhones } from './stream';
import { eventually } from '../test/support/eventually';

function run(url: string, token: string, seconds: number, connections: number) {
  return new Promise<{ rps: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number }>((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${token}` } }, (err, r) => {
      if (err) return reject(err);
      resolve({ rps: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
    });
  });
}

type Run = Awaited<ReturnType<typeof run>>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The median of each figure over the samples, the range of rps and p99, and every sample. */
function summarize(samples: Run[]) {
  const of = (k: keyof Run) => samples.map((x) => x[k]);
  return {
    rps: Math.round(median(of('rps'))),
    p50Ms: median(of('p50Ms')),
    p99Ms: median(of('p99Ms')),
    non2xx: of('non2xx').reduce((a, b) => a + b, 0),
    errors: of('errors').reduce((a, b) => a + b, 0),
    rpsRange: [Math.min(...of('rps')), Math.max(...of('rps'))],
    p99Range: [Math.min(...of('p99Ms')), Math.max(...of('p99Ms'))],
    samples,
  };
}

export async function apiBenchmark(opts: { open?: number; rows?: number[]; seconds?: number; connections?: number; dropsPerSec?: number; samples?: number } = {}) {
  const sampleCount = opts.samples ?? Number(process.env.BENCH_API_SAMPLES ?? 3);
  const openPhones = opts.open ?? Number(process.env.BENCH_API_OPEN ?? 200);
  const rowCounts = opts.rows ?? (process.env.BENCH_API_ROWS ?? '1000,10000').split(',').map(Number);
  const seconds = opts.seconds ?? Number(process.env.BENCH_API_SECONDS ?? 10);
  const connections = opts.connections ?? 10;
  const dropsPerSec = opts.dropsPerSec ?? Number(process.env.BENCH_API_DROPS_PER_SEC ?? 5);
  // BENCH_API_ROUTES=stats,list: only these routes besides the baseline (for profiling one route).
  const onlyRoutes = process.env.BENCH_API_ROUTES?.split(',');
  const sim = await startSimulator({ port: 0 });
  const server = await startConsole({ provider: 'sqlite', env: { WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'error', CREATE_PHONES_PER_MINUTE: '0', BENCH_BASELINE_ROUTE: '1' } });
  let stopChurn = () => {};
  let tracker: Awaited<ReturnType<typeof trackOpenPhones>> | null = null;
  try {
    const admin = { authorization: `Bearer ${await server.createToken('admin')}`, 'content-type': 'application/json' };
    const token = await server.createToken('read');
    tracker = await trackOpenPhones(server.url, { authorization: `Bearer ${token}` });
    // Pair the live phones through the API, 20 at a time: add (starts it), read the QR, scan.
    const t0 = performance.now();
    const numbers: string[] = [];
    const ids: number[] = [];
    for (let i = 0; i < openPhones; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, openPhones - i) }, async (_, j) => {
          const number = `7713${String(i + j).padStart(7, '0')}`;
          const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: admin, body: JSON.stringify({ organizationName: 'Bench', phone: number }) });
          if (res.status !== 201) throw new Error(`adding a phone answered ${res.status}`);
          const { id } = (await res.json()) as { id: number };
          const qr = await eventually(`the QR of ${number}`, async () => {
            const r = await fetch(`${server.url}/api/sessions/${id}/qr`, { headers: admin });
            return r.ok ? ((await r.json()) as { qr: string | null }).qr ?? undefined : undefined;
          }, 60_000, 250);
          await sim.scan(number, qr);
          await eventually(`${number} open`, async () => (tracker!.open.has(id) ? true : undefined), 60_000, 250);
          numbers.push(number);
          ids.push(id);
        }),
      );
    }
    const pairMs = Math.round(performance.now() - t0);
    const org = await server.db.organization.findUniqueOrThrow({ where: { name: 'Bench' } });

    // Churn: drop one live connection every 1/rate s, round robin (a phone still reconnecting is skipped).
    let drops = 0;
    let skipped = 0;
    let k = 0;
    const timer = setInterval(() => {
      const number = numbers[k++ % numbers.length];
      sim.inject(number, { type: 'drop' }).then(() => drops++, () => skipped++);
    }, 1000 / dropsPerSec);
    stopChurn = () => clearInterval(timer);

    // Does the list page? Ask for one row: a page is an object ({ items, total, … }), the whole list an array.
    const probe = await (await fetch(`${server.url}/api/sessions?limit=1`, { headers: { authorization: `Bearer ${token}` } })).json();
    const paged = !Array.isArray(probe) && Array.isArray(probe?.items);
    const listUrl = `${server.url}/api/sessions${paged ? '?limit=50' : ''}`;
    const baselineUrl = `${server.url}/api/bench-baseline`;
    const baselineCheck = await fetch(baselineUrl);
    if (baselineCheck.status !== 200) throw new Error(`the baseline route answered ${baselineCheck.status}: is BENCH_BASELINE_ROUTE on?`);
    await baselineCheck.arrayBuffer();

    type RouteName = 'baseline' | 'stats' | 'phone' | 'list' | 'wholeList';
    const allRoutes: [name: RouteName, url: string][] = [
      ['baseline', baselineUrl],
      ['stats', `${server.url}/api/sessions/${ids[0]}/stats`],
      ['phone', `${server.url}/api/sessions/${ids[0]}`],
      ['list', listUrl],
      ...(paged ? [['wholeList', `${server.url}/api/sessions`] as [RouteName, string]] : []),
    ];
    const routes = allRoutes.filter(([name]) => name === 'baseline' || !onlyRoutes || onlyRoutes.includes(name));

    const results = [];
    for (const rows of rowCounts) {
      const have = await server.db.organizationPhone.count();
      for (let i = have; i < rows; i += 500) {
        await server.db.organizationPhone.createMany({
          data: Array.from({ length: Math.min(500, rows - i) }, (_, j) => ({ organizationId: org.id, phoneJid: `7716${String(i + j).padStart(7, '0')}@s.whatsapp.net`, status: 'closed' })),
        });
      }
      for (const [, url] of routes) await run(url, token, 1, connections); // warm-up
      const loadAvg1mBefore = Number(os.loadavg()[0].toFixed(2));
      const d0 = drops;
      const s0 = tracker.stateEvents();
      const c0 = performance.now();
      const got = Object.fromEntries(routes.map(([name]) => [name, [] as Run[]])) as Record<RouteName, Run[]>;
      for (let sample = 0; sample < sampleCount; sample++) {
        for (const [name, url] of sample % 2 === 0 ? routes : [...routes].reverse()) got[name].push(await run(url, token, seconds, connections));
      }
      const churnSec = (performance.now() - c0) / 1000;
      // Each route against the baseline of the same sample round.
      const ratioTo = (name: RouteName) => {
        // A round whose baseline answered nothing (an overloaded machine) gives no ratio.
        const each = got[name].flatMap((x, i) => (got.baseline[i].rps > 0 ? [Number((x.rps / got.baseline[i].rps).toFixed(2))] : []));
        if (!each.length) return { median: null, range: null, samples: [] };
        return { median: median(each), range: [Math.min(...each), Math.max(...each)], samples: each };
      };
      const measured = Object.fromEntries(routes.map(([name]) => [name, summarize(got[name])]));
      const row = {
        rows: await server.db.organizationPhone.count(),
        openAtEnd: tracker.open.size,
        dropsPerSec: Number(((drops - d0) / churnSec).toFixed(1)),
        stateEventsPerSec: Number(((tracker.stateEvents() - s0) / churnSec).toFixed(1)),
        loadAvg1mBefore,
        loadAvg1mAfter: Number(os.loadavg()[0].toFixed(2)),
        ...measured,
        ratio: Object.fromEntries(routes.filter(([name]) => name !== 'baseline').map(([name]) => [name, ratioTo(name)])),
      };
      console.log(JSON.stringify({ rows: row.rows, ...Object.fromEntries(routes.map(([name]) => [name, { rps: measured[name].rps, p99Ms: measured[name].p99Ms }])), ratio: Object.fromEntries(Object.entries(row.ratio).map(([k, v]) => [k, v.median])) }));
      results.push(row);
    }
    return {
      method: `${openPhones} phones paired through the API and open, ${dropsPerSec} simulator drops/s (round robin, each a close + reconnect), the rest closed rows; autocannon ${connections} connections × ${seconds} s per route and sample, ${sampleCount} samples per route with the order reversed every other sample (medians, ranges); read-scoped bearer token on every route; ratios are route ÷ baseline req/s per sample round (median, range)`,
      samples: sampleCount,
      open: openPhones,
      pairMs,
      seconds,
      connections,
      paged,
      listQuery: paged ? '?limit=50' : '(none: whole list)',
      baseline: 'GET /api/bench-baseline (a bare route handler returning a constant, BENCH_BASELINE_ROUTE=1)',
      routes: Object.fromEntries(routes.map(([name, url]) => [name, `GET ${new URL(url).pathname}${new URL(url).search}`])),
      dropsSkipped: skipped,
      rows: results,
    };
  } finally {
    stopChurn();
    tracker?.close();
    await server.stop();
    await sim.close();
  }
}
