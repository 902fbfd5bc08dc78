// The console at fleet size (issue 14): one page of rows with the total, search and sort by the
// server, tiles for every state, live events patched into the rows without downloading the list
// again, every action from the row and the detail page, re-pairing a logged-out phone (QR and
// code), bulk restart of 20 phones, the translated 404 page. Each test makes its own phones.
// Under E2E_FLEET=1 (two nodes on PostgreSQL, e2e/support/global-setup.ts) the API calls here go
// to the node the page is not on: the phones they start run there, and the live rows the page
// shows crossed the fleet's bus.
import crypto from 'node:crypto';
import { test, expect, type Page } from '@playwright/test';
import { e2eEnv, logIn, simulatorPost } from './support/env';
import { createDb } from '../lib/db/client';

const sim = simulatorPost;

/** `count` phones of a new organization, straight into the database; numbers from a random block. */
async function seedPhones(count: number, orgName: string): Promise<{ ids: number[]; numbers: string[] }> {
  const db = createDb(e2eEnv().databaseUrl);
  try {
    const org = await db.organization.create({ data: { name: orgName } });
    const block = 10_000 + crypto.randomInt(80_000);
    const numbers = Array.from({ length: count }, (_, i) => `79${block}${String(i).padStart(4, '0')}`);
    await db.organizationPhone.createMany({ data: numbers.map((n, i) => ({ organizationId: org.id, phoneJid: `${n}@s.whatsapp.net`, label: `Till ${i}`, status: i % 3 === 0 ? 'closed' : 'idle' })) });
    const rows = await db.organizationPhone.findMany({ where: { organizationId: org.id }, orderBy: { id: 'asc' }, select: { id: true } });
    return { ids: rows.map((r) => r.id), numbers };
  } finally {
    await db.$disconnect();
  }
}

/** Letters only, so a search for them never matches digits of a phone number. */
const letters = () => Array.from(crypto.randomBytes(8), (b) => String.fromCharCode(97 + (b % 26))).join('');

/** An API call with the page's sign-in, sent to the other node of a fleet (to the one console otherwise). */
const api = (page: Page, method: 'POST' | 'DELETE', path: string, data?: unknown) =>
  page.request.fetch(`${e2eEnv().otherUrl}${path}`, { method, data: data ?? {}, headers: { origin: e2eEnv().otherUrl } });

async function addAndPair(page: Page, number: string) {
  await page.getByTestId('add-phone-toggle').click();
  await page.getByTestId('add-org').fill('Fleet Pairing');
  await page.getByTestId('add-phone').fill(number);
  await page.getByTestId('add-submit').click();
  const text = page.getByTestId('pairing-qr-text');
  await expect(text).toHaveText(/^[^,]+,[^,]+,[^,]+,[^,]+$/);
  await sim(`/phones/${number}/scan`, { qr: await text.textContent() });
  const row = page.getByTestId(`session-row-${number}`);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'open');
  await page.getByTestId('pairing-connected').getByRole('button').click();
  return (await row.getAttribute('data-id'))!;
}

test('300 phones: one page in the page, tiles for every state, search and sort by the server, live rows without refetching the list', async ({ page }) => {
  const org = `Fleet ${letters()} Org`;
  const { ids, numbers } = await seedPhones(300, org);
  await logIn(page);
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');
  const rows = page.locator('[data-testid^="session-row-"]');
  await expect(rows).toHaveCount(50);
  expect(Number(await page.getByTestId('sessions-table').getAttribute('data-total'))).toBeGreaterThanOrEqual(300);

  // Search by letters of the organization's name, any case: exactly its 300 phones, 6 pages.
  await page.getByTestId('filter-search').fill(org.toLowerCase());
  await expect(page.getByTestId('page-info')).toHaveText('Page 1 of 6 · 300 phones');
  await expect(rows).toHaveCount(50);
  await expect(page.getByTestId('summary-total')).toHaveText('300');
  await expect(page.getByTestId('summary-closed')).toHaveText('100');
  await expect(page.getByTestId('summary-idle')).toHaveText('200');
  // Sorted by the server: newest first by default, then by phone number ascending.
  await expect(rows.first()).toHaveAttribute('data-testid', `session-row-${numbers[299]}`);
  await page.getByTestId('sort-field').selectOption('phone');
  await expect(rows.first()).toHaveAttribute('data-testid', `session-row-${numbers[0]}`);
  await page.getByTestId('page-next').click();
  await expect(page.getByTestId('page-info')).toHaveText('Page 2 of 6 · 300 phones');
  await expect(rows.first()).toHaveAttribute('data-testid', `session-row-${numbers[50]}`);
  // A tile filters the table.
  await page.getByTestId('tile-closed').click();
  await expect(page.getByTestId('page-info')).toHaveText('Page 1 of 2 · 100 phones');
  await expect(page.getByTestId('tile-closed')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('tile-total').click();
  await page.getByTestId('sort-field').selectOption('id');
  await expect(rows.first()).toHaveAttribute('data-testid', `session-row-${numbers[299]}`);

  // Live: start the 10 newest phones (they go connecting → pairing, QR codes rotate). The rows
  // change in place while the list is not downloaded again.
  const listRequests: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/sessions' && r.method() === 'GET') listRequests.push(u.search);
  });
  const started = ids.slice(-10);
  await page.evaluate(() => {
    const w = window as unknown as { __events: number };
    w.__events = 0;
    const es = new EventSource('/api/sessions/stream');
    for (const type of ['state', 'stats', 'qr']) es.addEventListener(type, () => (w.__events += 1));
  });
  for (const id of started) expect((await api(page, 'POST', `/api/sessions/${id}/start`)).status()).toBe(200);
  if (e2eEnv().nodes > 1) {
    // The node that took the commands runs the phones; the page's node only hears of them.
    const db = createDb(e2eEnv().databaseUrl);
    try {
      const owners = await db.phoneOwner.findMany({ where: { phoneId: { in: started } } });
      expect(owners.map((o) => o.nodeId)).toEqual(started.map(() => 'e2e_b'));
    } finally {
      await db.$disconnect();
    }
  }
  for (const id of started) {
    await expect(page.getByTestId(`status-${id}`)).toHaveAttribute('data-status', 'qr');
    // A pairing phone is never "healthy".
    await expect(page.getByTestId(`health-${id}`)).toHaveAttribute('data-health', 'closed');
    await expect(page.getByTestId(`health-${id}`)).toHaveText('not connected');
  }
  await expect(page.getByTestId('summary-qr')).toHaveText('10');
  const events = await page.evaluate(() => (window as unknown as { __events: number }).__events);
  expect(events).toBeGreaterThanOrEqual(30);
  expect(listRequests.length, `list requests while ${events} events flowed: ${listRequests.join(' ')}`).toBeLessThanOrEqual(1);
  for (const id of started) await api(page, 'POST', `/api/sessions/${id}/close`, { reason: 'test done' });
});

test('a logged-out phone is paired again from its row by QR, and from its detail page by code', async ({ page }) => {
  await logIn(page);
  const number = `7703${crypto.randomInt(1_000_000, 9_999_999)}`;
  const id = await addAndPair(page, number);
  await sim(`/phones/${number}/faults`, { type: 'logged-out' });
  await expect(page.getByTestId(`status-${id}`)).toHaveAttribute('data-status', 'logged_out');
  // WhatsApp's logout says so (the administrator's, below, must not: issue 27.6).
  await expect(page.getByTestId(`reason-${id}`)).toHaveText('logged out by WhatsApp (code 401)');
  await expect(page.getByTestId(`health-${id}`)).not.toHaveAttribute('data-health', 'healthy');

  // From the row: Pair starts the phone and shows the live QR.
  await page.getByTestId(`pair-${id}`).click();
  const dialog = page.getByTestId('pair-dialog');
  await expect(dialog.getByTestId('pairing-qr-text')).toHaveText(/^[^,]+,[^,]+,[^,]+,[^,]+$/);
  await expect(dialog.getByRole('img', { name: 'Pairing QR code' })).toBeVisible();
  await sim(`/phones/${number}/scan`, { qr: await dialog.getByTestId('pairing-qr-text').textContent() });
  await expect(dialog.getByTestId('pairing-connected')).toBeVisible();
  await expect(page.getByTestId(`status-${id}`)).toHaveAttribute('data-status', 'open');
  await page.getByTestId('pair-close').click();

  // The detail page has the actions: log out (the confirmation says it must pair again) …
  await page.goto(`${e2eEnv().url}/sessions/${id}`);
  await page.getByTestId(`logout-${id}`).click();
  await expect(page.getByRole('dialog')).toContainText('must be paired again');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'logged_out');
  // An administrator's logout reads as theirs, never "logged out by WhatsApp" (issue 27.6), live and after a reload.
  await expect(page.getByTestId('detail-reason')).toHaveText('logged out by an administrator');
  await expect(page.getByTestId('timeline')).toContainText('Logged out: logged out by an administrator');
  await page.reload();
  await expect(page.getByTestId('detail-reason')).toHaveText('logged out by an administrator');
  await expect(page.getByTestId('detail-reason')).not.toContainText('WhatsApp');
  // … then Restart leads to pairing, here by a code typed on the phone.
  await page.getByTestId(`restart-${id}`).click();
  await expect(page.getByRole('dialog')).toContainText('new QR code');
  await page.getByTestId('confirm-ok').click();
  const dialog2 = page.getByTestId('pair-dialog');
  await dialog2.getByTestId('pairing-use-code').click();
  const code = dialog2.getByTestId('pairing-code');
  await expect(code).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await sim(`/phones/${number}/pairing-code`, { code: await code.textContent() });
  await expect(dialog2.getByTestId('pairing-connected')).toBeVisible();
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'open');
  // Escape closes the dialog though the focus left it with the "use a code" button (issue 27.14).
  await page.keyboard.press('Escape');
  await expect(dialog2).toHaveCount(0);
  await expect(page.getByTestId('timeline')).toContainText('Logged out');

  // Close with a reason, then delete: back to the list, the audit keeps it.
  await page.getByTestId(`close-${id}`).click();
  await page.getByTestId('confirm-reason').fill('Handset replaced');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('detail-reason')).toHaveText('Handset replaced');
  await page.getByTestId(`delete-${id}`).click();
  await expect(page.getByRole('dialog')).toContainText('audit log keeps');
  await page.getByTestId('confirm-ok').click();
  await page.waitForURL(`${e2eEnv().url}/`);
  await expect(page.getByTestId(`session-row-${number}`)).toHaveCount(0);
  await page.goto(`${e2eEnv().url}/audit`);
  // The deleted phone is still named by its number (kept by its creation entry), the action in words.
  await expect(page.getByTestId('audit-row').filter({ hasText: 'Phone deleted' }).first().getByTestId('audit-target')).toHaveText(`+${number}`);
});

test('bulk restart of 20 phones with a progress line and a result per phone', async ({ page }) => {
  const org = `Bulk ${letters()}`;
  const { ids } = await seedPhones(20, org);
  await logIn(page);
  await page.getByTestId('filter-search').fill(org);
  await expect(page.getByTestId('page-info')).toHaveText('Page 1 of 1 · 20 phones');
  await page.getByTestId('select-page').check();
  await expect(page.getByTestId('bulk-count')).toHaveText('20 selected');
  await page.getByTestId('bulk-restart').click();
  await expect(page.getByRole('dialog')).toContainText('Restart: 20 phones?');
  await page.getByTestId('confirm-ok').click();
  const progress = page.getByTestId('bulk-progress');
  await expect(progress).toHaveAttribute('data-done', '20');
  await expect(progress).toHaveAttribute('data-failed', '0');
  await expect(progress).toContainText('20 of 20 done · 20 ok · 0 failed');
  await expect(page.locator('[data-testid^="bulk-result-"][data-result="ok"]')).toHaveCount(20);
  for (const id of ids) await expect(page.getByTestId(`status-${id}`)).not.toHaveAttribute('data-status', /idle|closed/);
  // And close them all again, in bulk, through "all matching the filter".
  await page.getByTestId('bulk-dismiss').click();
  await page.getByTestId('select-page').check();
  await page.getByTestId('bulk-close').click();
  await page.getByTestId('confirm-reason').fill('bulk test done');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('bulk-progress')).toHaveAttribute('data-done', '20');
  for (const id of ids) await expect(page.getByTestId(`status-${id}`)).toHaveAttribute('data-status', 'closed');
});

test('viewers see no actions and no bulk selection', async ({ page }) => {
  const db = createDb(e2eEnv().databaseUrl);
  const email = `viewer-${crypto.randomBytes(3).toString('hex')}@e2e.local`;
  const { createUser } = await import('../lib/auth/users');
  await createUser(db, { email, password: 'viewer-password', role: 'viewer' }, 4);
  await db.$disconnect();
  const { ids } = await seedPhones(3, `Viewer ${crypto.randomBytes(3).toString('hex')}`);
  await logIn(page, email, 'viewer-password');
  await expect(page.getByTestId(`status-${ids[2]}`)).toBeVisible();
  await expect(page.locator('[data-testid^="actions-"]')).toHaveCount(0);
  await expect(page.getByTestId('select-page')).toHaveCount(0);
  await page.goto(`${e2eEnv().url}/sessions/${ids[2]}`);
  await expect(page.getByTestId('detail-status')).toBeVisible();
  await expect(page.locator('[data-testid^="actions-"]')).toHaveCount(0);
});

test('an unknown phone answers a translated 404 page with a link back; pages have titles and a favicon', async ({ page, context }) => {
  await logIn(page);
  await expect(page).toHaveTitle('Sessions · WhatsApp session console');
  const res = await page.goto(`${e2eEnv().url}/sessions/99999`);
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId('not-found')).toContainText('Not found');
  await context.addCookies([{ name: 'lang', value: 'ru', url: e2eEnv().url }]);
  const ru = await page.goto(`${e2eEnv().url}/sessions/99999`);
  expect(ru?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Не найдено');
  await page.getByTestId('not-found-back').click();
  await expect(page.getByTestId('sessions-title')).toHaveText('Сессии');
  await expect(page).toHaveTitle('Сессии · Консоль сессий WhatsApp');
  const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(icon).toBeTruthy();
  expect((await page.request.get(new URL(icon!, e2eEnv().url).toString())).status()).toBe(200);
});

test('in Russian: server errors by their code, no English server text; State and Health have their own labels', async ({ page, context }) => {
  const { ids, numbers } = await seedPhones(1, `Ru ${letters()}`);
  await context.addCookies([{ name: 'lang', value: 'ru', url: e2eEnv().url }]);
  await logIn(page);
  await page.getByTestId('add-phone-toggle').click();
  await page.getByTestId('add-org').fill('Демо');
  await page.getByTestId('add-phone').fill(numbers[0]);
  await page.getByTestId('add-submit').click();
  const toast = page.getByTestId('toast-error');
  await expect(toast).toHaveText('Ошибка: Этот номер уже зарегистрирован');
  await page.goto(`${e2eEnv().url}/sessions/${ids[0]}`);
  await expect(page.getByText('Состояние', { exact: true })).toHaveCount(1);
  await expect(page.getByText('Здоровье', { exact: true })).toHaveCount(1);
});
