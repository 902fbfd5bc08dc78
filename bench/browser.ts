// Benchmark 4: reaction times in a real browser (Debian Chromium): a bad-mac fault at the
// simulator → the counter changes in the table; clicking Restart → the row shows connected again.
import { chromium } from '@playwright/test';
import { startSimulator } from '../simulator';
import { startConsole } from '../test/support/console-server';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function browserBenchmark(reps = 7) {
  const sim = await startSimulator({ port: 0 });
  const server = await startConsole({ provider: 'sqlite', env: { WA_WEBSOCKET_URL: sim.url, SIMULATOR_URL: sim.controlUrl, MAX_BAD_MAC_ERRORS: '1000', LOG_LEVEL: 'error' } });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  try {
    const token = await server.createToken('admin');
    const number = '77140000001';
    const created = await (await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ organizationName: 'Bench', phone: number }) })).json();
    let qr: string | null = null;
    while (!qr) {
      const res = await fetch(`${server.url}/api/sessions/${created.id}/qr`, { headers: { authorization: `Bearer ${token}` } });
      if (res.ok) qr = (await res.json()).qr;
      else await new Promise((r) => setTimeout(r, 50));
    }
    await sim.scan(number, qr);
    const page = await browser.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(server.adminEmail);
    await page.getByTestId('login-password').fill(server.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.waitForSelector(`[data-testid="status-${created.id}"][data-status="open"]`);
    await page.waitForSelector('[data-testid="live-indicator"][data-live="true"]');

    const faultToCounter: number[] = [];
    for (let i = 1; i <= reps; i++) {
      const t0 = Date.now();
      await sim.inject(number, { type: 'bad-mac' });
      await page.waitForFunction(([id, n]) => document.querySelector(`[data-testid="badmac-${id}"]`)?.textContent?.startsWith(`${n}/`), [created.id, i] as const, { polling: 'raf' });
      faultToCounter.push(Date.now() - t0);
    }
    const restartToConnected: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = Date.now();
      await page.getByTestId(`restart-${created.id}`).click();
      await page.getByTestId('confirm-ok').click();
      // The row leaves "open" (closing/connecting) and comes back.
      await page.waitForSelector(`[data-testid="status-${created.id}"]:not([data-status="open"])`, { timeout: 10_000 }).catch(() => undefined);
      await page.waitForSelector(`[data-testid="status-${created.id}"][data-status="open"]`);
      restartToConnected.push(Date.now() - t0);
      await page.waitForSelector('[role="dialog"]', { state: 'detached' });
    }
    const result = { reps, faultToCounterMs: { median: median(faultToCounter), all: faultToCounter }, restartToConnectedMs: { median: median(restartToConnected), all: restartToConnected } };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await browser.close();
    await server.stop();
    await sim.close();
  }
}
