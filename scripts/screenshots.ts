// npm run screenshots: the console's main pages as PNGs under docs/screenshots/, light and dark,
// 1280 px and 390 px wide, so the looks issue 27 asks for can be seen and remade. Runs the built
// console (npm run build first) on a fresh SQLite database against the simulator, both on loopback,
// with a few phones paired through it (one critical, one auto-closed), a webhook receiver on
// loopback and a test delivery; then Debian's Chromium signs in and takes each page.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from '@playwright/test';
import { startSimulator } from '../simulator';
import { startConsole } from '../test/support/console-server';

const OUT = path.resolve(__dirname, '..', 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NUMBERS = ['77051000001', '77051000002', '77051000003', '77051000004'];

type Shot = { name: string; path: (ids: number[]) => string; theme: 'light' | 'dark'; width: number; ready: string; lang?: 'en' | 'ru' };
const SHOTS: Shot[] = [
  { name: 'sessions-light', path: () => '/', theme: 'light', width: 1280, ready: 'sessions-table' },
  { name: 'sessions-dark', path: () => '/', theme: 'dark', width: 1280, ready: 'sessions-table' },
  { name: 'sessions-390-light', path: () => '/', theme: 'light', width: 390, ready: 'sessions-table' },
  { name: 'sessions-ru-light', path: () => '/', theme: 'light', width: 1280, ready: 'sessions-table', lang: 'ru' },
  { name: 'phone-light', path: (ids) => `/sessions/${ids[1]}`, theme: 'light', width: 1280, ready: 'timeline' },
  { name: 'phone-390-dark', path: (ids) => `/sessions/${ids[1]}`, theme: 'dark', width: 390, ready: 'timeline' },
  { name: 'webhooks-light', path: () => '/webhooks', theme: 'light', width: 1280, ready: 'deliveries-table' },
  { name: 'webhooks-390-dark', path: () => '/webhooks', theme: 'dark', width: 390, ready: 'deliveries-table' },
  { name: 'alerts-dark-ru', path: () => '/alerts', theme: 'dark', width: 1280, ready: 'incidents-table', lang: 'ru' },
  { name: 'audit-light', path: () => '/audit', theme: 'light', width: 1280, ready: 'audit-table' },
];

async function until<T>(what: string, read: () => Promise<T | null | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main() {
  const receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const simulator = await startSimulator({ port: 0 });
  const server = await startConsole({ provider: 'sqlite', env: { SESSIONS_AUTOSTART: 'false', WA_WEBSOCKET_URL: simulator.url, SIMULATOR_URL: simulator.controlUrl } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  try {
    const token = await server.createToken('admin');
    const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${server.url}${route}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const sim = (route: string, body: unknown) => fetch(`${simulator.controlUrl}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    // Four phones in two organizations, three paired through the simulator.
    const ids: number[] = [];
    for (const [i, phone] of NUMBERS.entries()) {
      const created = await api<{ id: number; organizationId: number }>('POST', '/api/sessions', { organizationName: i < 2 ? 'Acme Retail' : 'Globex Support', phone, label: ['Front desk', 'Deliveries', 'Support line', 'Night shift'][i] });
      ids.push(created.id);
      if (i === 0) await api('PUT', `/api/organizations/${created.organizationId}/webhook`, { url: hookUrl, secret: 'a-demo-secret-of-enough-length' });
      if (i === 3) continue;
      const qr = await until('a QR', async () => (await api<{ qr: string | null }>('GET', `/api/sessions/${created.id}/qr`)).qr);
      await sim(`/phones/${phone}/scan`, { qr });
      await until('the phone open', async () => ((await api<{ status: string }>('GET', `/api/sessions/${created.id}`)).status === 'open' ? true : null));
    }
    // The second phone critical (2 of 3 Bad MACs), the third auto-closed (an alert incident).
    await sim(`/phones/${NUMBERS[1]}/faults`, { type: 'bad-mac', count: 2 });
    await sim(`/phones/${NUMBERS[2]}/faults`, { type: 'bad-mac', count: 3 });
    await until('the auto-close', async () => ((await api<{ status: string }>('GET', `/api/sessions/${ids[2]}`)).status === 'closed' ? true : null));
    const org = (await api<{ id: number; name: string }[]>('GET', '/api/organizations')).find((o) => o.name === 'Acme Retail')!;
    await api('POST', '/api/webhooks/test', { organizationId: org.id });
    await until('the deliveries', async () => ((await api<{ items: { status: string }[] }>('GET', '/api/webhooks/deliveries?limit=10')).items.some((d) => d.status === 'delivered') ? true : null));

    fs.mkdirSync(OUT, { recursive: true });
    for (const shot of SHOTS) {
      const context = await browser.newContext({ viewport: { width: shot.width, height: shot.width < 600 ? 844 : 800 }, colorScheme: shot.theme, locale: shot.lang === 'ru' ? 'ru-RU' : 'en-US', timezoneId: 'UTC' });
      await context.addCookies([{ name: 'lang', value: shot.lang ?? 'en', url: server.url }]);
      await context.addInitScript((theme) => localStorage.setItem('theme', theme), shot.theme);
      const page = await context.newPage();
      await signIn(page, server.url, server.adminEmail, server.adminPassword);
      await page.goto(`${server.url}${shot.path(ids)}`);
      await page.getByTestId(shot.ready).waitFor();
      // Relative times are worded after hydration; give the live data a moment to settle.
      await page.waitForLoadState('networkidle').catch(() => {});
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(OUT, `${shot.name}.png`) });
      console.log(`docs/screenshots/${shot.name}.png`);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    await simulator.close();
    receiver.close();
  }
}

async function signIn(page: Page, url: string, email: string, password: string) {
  await page.goto(`${url}/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
