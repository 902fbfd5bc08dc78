// Benchmark: the console at fleet size in a real browser (Debian Chromium). 10,000 phones in the
// database (most closed), 200 live (started, pairing); measures the first page becoming
// interactive, a search, a sort, and the network bytes per minute of one open tab while 50 phones
// change state every second, plus how long a row takes to show an event.
// Targets (issue 14): interactive within 1.5 s, a row update within 300 ms of the event, bytes per
// minute proportional to the events, not to the fleet.
// Sizes: BENCH_UI_PHONES (10000), BENCH_UI_LIVE (200), BENCH_UI_RATE (50 changes/s),
// BENCH_UI_SECONDS (60).
import { chromium } from '@playwright/test';
import { startSimulator } from '../simulator';
import { startConsole } from '../test/support/console-server';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? null;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] ?? null;

export async function ui10kBenchmark() {
  const phones = Number(process.env.BENCH_UI_PHONES ?? 10_000);
  const liveCount = Number(process.env.BENCH_UI_LIVE ?? 200);
  const rate = Number(process.env.BENCH_UI_RATE ?? 50);
  const seconds = Number(process.env.BENCH_UI_SECONDS ?? 60);
  const sim = await startSimulator({ port: 0 });
  const server = await startConsole({ provider: 'sqlite', env: { WA_WEBSOCKET_URL: sim.url, SIMULATOR_URL: sim.controlUrl, SESSIONS_AUTOSTART: 'false', LOG_LEVEL: 'error' } });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  try {
    const token = await server.createToken('admin');
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // The fleet: 20 organizations; two thirds closed, the rest idle. The live ones are the newest
    // (ids at the end), so they are on the first page of the default sort.
    const orgs = await Promise.all(Array.from({ length: 20 }, (_, i) => server.db.organization.create({ data: { name: `Bench Org ${String.fromCharCode(65 + i)}` } })));
    for (let from = 0; from < phones; from += 1000) {
      const data = Array.from({ length: Math.min(1000, phones - from) }, (_, k) => {
        const i = from + k;
        return { organizationId: orgs[i % orgs.length].id, phoneJid: `7716${String(i).padStart(7, '0')}@s.whatsapp.net`, label: `Till ${i}`, status: i % 3 === 2 ? 'idle' : 'closed', lastCloseReason: i % 3 === 2 ? null : 'Manual close' };
      });
      await server.db.organizationPhone.createMany({ data });
    }
    const live = (await server.db.organizationPhone.findMany({ orderBy: { id: 'desc' }, take: liveCount, select: { id: true } })).map((r) => r.id);
    for (let i = 0; i < live.length; i += 20) {
      await Promise.all(live.slice(i, i + 20).map((id) => fetch(`${server.url}/api/sessions/${id}/start`, { method: 'POST', headers: auth })));
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // CDP counts every byte the tab receives (from the start, so the stream's request is known).
    let counting = false;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const urls = new Map<string, string>();
    const bytes = { list: 0, summary: 0, stream: 0, other: 0 };
    const requests = { list: 0, summary: 0, other: 0 };
    const kind = (u: string) => {
      const p = new URL(u).pathname;
      return p === '/api/sessions' ? 'list' : p === '/api/sessions/summary' ? 'summary' : p === '/api/sessions/stream' ? 'stream' : 'other';
    };
    cdp.on('Network.requestWillBeSent', (e) => {
      urls.set(e.requestId, e.request.url);
      const k = kind(e.request.url);
      if (counting && k !== 'stream') requests[k] += 1;
    });
    cdp.on('Network.dataReceived', (e) => {
      const u = urls.get(e.requestId);
      if (u && counting) bytes[kind(u)] += e.encodedDataLength || e.dataLength;
    });
    // When the tab's EventSource hands each state event to the page: splits the lag into delivery and drawing.
    await page.addInitScript(() => {
      const w = window as unknown as { __arrived: Record<string, number>; EventSource: typeof EventSource };
      w.__arrived = {};
      const Original = w.EventSource;
      w.EventSource = class extends Original {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          this.addEventListener('state', (m) => {
            const e = JSON.parse((m as MessageEvent).data) as { phoneId: number; state: string };
            w.__arrived[`${e.phoneId}:${e.state}`] = Date.now();
          });
        }
      };
    });
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(server.adminEmail);
    await page.getByTestId('login-password').fill(server.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));

    // First page interactive: navigation start → rows shown and the stream live (median of 5).
    const interactive: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      await page.goto(server.url + '/');
      await page.waitForSelector('[data-testid^="session-row-"]');
      await page.waitForSelector('[data-testid="live-indicator"][data-live="true"]');
      interactive.push(Date.now() - t0);
    }
    const domElements = await page.evaluate(() => document.getElementsByTagName('*').length);
    const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);

    const timed = async (action: () => Promise<unknown>, done: () => Promise<unknown>) => {
      const t0 = Date.now();
      await action();
      await done();
      return Date.now() - t0;
    };
    const search: number[] = [];
    const sort: number[] = [];
    for (let i = 0; i < 3; i++) {
      const org = `Bench Org ${String.fromCharCode(66 + i)}`;
      // Typing then the 300 ms debounce, the request and the render.
      search.push(await timed(() => page.getByTestId('filter-search').fill(org), () => page.waitForFunction((n) => document.querySelector('[data-testid="page-info"]')?.textContent?.includes(`${n} `), String(Math.ceil(phones / 20)))));
      await page.getByTestId('filter-search').fill('');
      await page.waitForFunction((n) => document.querySelector('[data-testid="page-info"]')?.textContent?.includes(n), phones.toLocaleString('en-US'));
      const before = await page.locator('[data-testid^="session-row-"]').first().getAttribute('data-testid');
      sort.push(await timed(() => page.getByTestId('sort-field').selectOption(i % 2 ? 'organization' : 'phone'), () => page.waitForFunction((b) => document.querySelector('[data-testid^="session-row-"]')?.getAttribute('data-testid') !== b, before)));
      await page.getByTestId('sort-field').selectOption('id');
      await page.waitForSelector(`[data-id="${live[0]}"]`);
    }

    // Bytes while the fleet changes: every second `rate` live phones restart (closing, closed,
    // connecting, pairing: each a state event plus stats).
    counting = true;
    bytes.list = bytes.summary = bytes.stream = bytes.other = 0;
    requests.list = requests.summary = requests.other = 0;
    // Event → screen: the page notes when a visible row's status changes; the server's event time
    // comes with the event (`at`).
    await page.evaluate(() => {
      const w = window as unknown as { __seen: Record<string, number> };
      w.__seen = {};
      new MutationObserver((list) => {
        for (const m of list) {
          const el = m.target as HTMLElement;
          const id = el.getAttribute('data-testid');
          if (id?.startsWith('status-')) w.__seen[`${id.slice(7)}:${el.getAttribute('data-status')}`] = Date.now();
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
    });
    const eventTimes = new Map<string, number>();
    // The same events as read by this process: what the server and the network add before the browser.
    const arrivalLags: number[] = [];
    const streamAbort = new AbortController();
    const streamDone = (async () => {
      const res = await fetch(`${server.url}/api/sessions/stream`, { headers: auth, signal: streamAbort.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      let events = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (!data || !block.includes('event: ')) continue;
            events += 1;
            const e = JSON.parse(data.slice(6));
            if (block.includes('event: state')) {
              eventTimes.set(`${e.phoneId}:${e.state}`, Date.parse(e.at));
              arrivalLags.push(Date.now() - Date.parse(e.at));
            }
          }
        }
      } catch {
        // aborted
      }
      return events;
    })();
    // How busy the tab's main thread is while the fleet changes (Chrome's own task and script time).
    await cdp.send('Performance.enable');
    const busy = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics as { name: string; value: number }[]).map((m) => [m.name, m.value]));
    const busyBefore = await busy();
    const visible = new Set((await page.locator('[data-testid^="session-row-"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))))));
    const t0 = Date.now();
    let changes = 0;
    let next = 0;
    while (Date.now() - t0 < seconds * 1000) {
      const tick = Date.now();
      const batch = Array.from({ length: rate }, () => live[next++ % live.length]);
      await Promise.all(batch.map((id) => fetch(`${server.url}/api/sessions/${id}/restart`, { method: 'POST', headers: auth }).then((r) => r.arrayBuffer())));
      changes += batch.length;
      const wait = 1000 - (Date.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const elapsedMin = (Date.now() - t0) / 60_000;
    const busyAfter = await busy();
    const mainThread = {
      taskShare: Number(((busyAfter.TaskDuration - busyBefore.TaskDuration) / (busyAfter.Timestamp - busyBefore.Timestamp)).toFixed(2)),
      scriptShare: Number(((busyAfter.ScriptDuration - busyBefore.ScriptDuration) / (busyAfter.Timestamp - busyBefore.Timestamp)).toFixed(2)),
      layoutShare: Number(((busyAfter.LayoutDuration + busyAfter.RecalcStyleDuration - busyBefore.LayoutDuration - busyBefore.RecalcStyleDuration) / (busyAfter.Timestamp - busyBefore.Timestamp)).toFixed(2)),
    };
    await new Promise((r) => setTimeout(r, 1000));
    streamAbort.abort();
    const events = await streamDone;
    const seen = await page.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen);
    const arrived = await page.evaluate(() => (window as unknown as { __arrived: Record<string, number> }).__arrived);
    const lags: number[] = [];
    const tabLags: number[] = [];
    const drawLags: number[] = [];
    for (const [key, shown] of Object.entries(seen)) {
      const at = eventTimes.get(key);
      if (at && visible.has(Number(key.split(':')[0]))) {
        lags.push(shown - at);
        if (arrived[key]) {
          tabLags.push(arrived[key] - at);
          drawLags.push(shown - arrived[key]);
        }
      }
    }
    const perMinute = (n: number) => Math.round(n / elapsedMin);
    const result = {
      phones,
      live: liveCount,
      changesPerSecond: rate,
      seconds,
      firstPageInteractiveMs: { median: median(interactive), all: interactive },
      firstPage: { domElements, pageHeightPx: pageHeight },
      searchMs: { median: median(search), all: search },
      sortMs: { median: median(sort), all: sort },
      load: {
        restarts: changes,
        streamEvents: events,
        eventsPerMinute: perMinute(events),
        bytesPerMinute: { total: perMinute(bytes.list + bytes.summary + bytes.stream + bytes.other), stream: perMinute(bytes.stream), list: perMinute(bytes.list), summary: perMinute(bytes.summary), other: perMinute(bytes.other) },
        requestsPerMinute: { list: perMinute(requests.list), summary: perMinute(requests.summary), other: perMinute(requests.other) },
        streamBytesPerEvent: events ? Math.round(bytes.stream / events) : null,
      },
      eventToRowMs: { samples: lags.length, median: median(lags), p95: p95(lags) },
      eventToStreamMs: { samples: arrivalLags.length, median: median(arrivalLags), p95: p95(arrivalLags) },
      eventToTabMs: { samples: tabLags.length, median: median(tabLags), p95: p95(tabLags) },
      tabToRowMs: { samples: drawLags.length, median: median(drawLags), p95: p95(drawLags), max: Math.max(...drawLags) },
      mainThread,
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await browser.close();
    await server.stop();
    await sim.close();
  }
}
