// The operator's console, round two (issue 27): one clock (relative times, the exact time and
// zone on hover, no hydration error in another time zone), the sessions view in the URL, the
// audit log's filters, words and CSV export, and errors that name the field or say the console
// cannot be reached.
import crypto from 'node:crypto';
import { test, expect, type Page } from '@playwright/test';
import { e2eEnv, logIn, uniquePhone } from './support/env';
import { createDb } from '../lib/db/client';

const origin = () => ({ origin: e2eEnv().url });

async function addPhones(page: Page, org: string, numbers: string[]): Promise<number[]> {
  const ids: number[] = [];
  // Not started: rows for the table, no sockets.
  for (let i = 0; i < numbers.length; i += 10) {
    const batch = await Promise.all(
      numbers.slice(i, i + 10).map((phone) => page.request.post(`${e2eEnv().url}/api/sessions`, { data: { organizationName: org, phone, start: false }, headers: origin() })),
    );
    for (const res of batch) {
      expect(res.status()).toBe(201);
      ids.push((await res.json()).id);
    }
  }
  return ids;
}

/**
 * Signs in, writes `count` closed phones of a new organization straight to the console's database
 * (the table is what is tested, not adding), and searches the sessions table for them.
 */
async function searchClosedRows(page: Page, prefix: string, count: number): Promise<string> {
  await logIn(page);
  const org = `${prefix} ${crypto.randomBytes(3).toString('hex')}`;
  const db = createDb(e2eEnv().databaseUrl);
  try {
    const { id } = await db.organization.create({ data: { name: org } });
    await db.organizationPhone.createMany({ data: Array.from({ length: count }, () => ({ organizationId: id, phoneJid: `${uniquePhone()}@s.whatsapp.net`, status: 'closed' })) });
  } finally {
    await db.$disconnect();
  }
  await page.goto(`${e2eEnv().url}/`);
  await page.getByTestId('filter-search').fill(org);
  await page.waitForURL((u) => u.searchParams.get('q') === org);
  return org;
}

test.describe('in New York, in English (en-US)', () => {
  test.use({ timezoneId: 'America/New_York', locale: 'en-US' });

  test('times are relative with the exact time and zone on hover, without a hydration error; the audit log is worded, filtered and exported', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    await logIn(page);
    const number = uniquePhone();
    const [id] = await addPhones(page, `Audit Org ${crypto.randomBytes(3).toString('hex')}`, [number]);
    await page.request.post(`${e2eEnv().url}/api/sessions/${id}/close`, { data: { reason: 'e2e audit' }, headers: origin() });

    // The timeline and audit entries of the phone page: "now", the exact time in New York on hover.
    await page.goto(`${e2eEnv().url}/sessions/${id}`);
    const when = page.getByTestId('detail-audit').locator('time').first();
    await expect(when).toHaveText(/^(now|\d+ (sec|min)\. ago)$/);
    await expect(when).toHaveAttribute('title', /^\d{1,2}\/\d{1,2}\/\d{2}, \d{1,2}:\d{2}:\d{2}\s[AP]M (EST|EDT)$/);

    // The audit page: the phone by its number, actions in words, the same clock.
    await page.goto(`${e2eEnv().url}/audit?phone=${number}`);
    const rows = page.getByTestId('audit-row');
    await expect(rows).toHaveCount(2);
    await expect(rows.getByTestId('audit-target').first()).toHaveText(`+${number}`);
    await expect(rows.getByTestId('audit-action')).toHaveText(['Session closed', 'Phone added']);
    await expect(rows.first().locator('time')).toHaveAttribute('title', /(EST|EDT)$/);
    expect(errors.filter((e) => /418|hydrat/i.test(e))).toEqual([]);

    // Filters from the form go to the URL and the API: one action of this phone.
    await page.getByTestId('audit-filter-action').selectOption('session.create');
    await page.getByTestId('audit-apply').click();
    await page.waitForURL(/action=session\.create/);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-action', 'session.create');
    // A time range typed in New York's zone: from an hour ahead matches nothing.
    const later = new Date(Date.now() + 3600_000);
    const local = new Date(later.getTime() - 5 * 3600_000).toISOString().slice(0, 16); // EST is UTC-5 in December
    await page.getByTestId('audit-filter-from').fill(local);
    await page.getByTestId('audit-apply').click();
    await page.waitForURL(/from=/);
    expect(new Date(new URL(page.url()).searchParams.get('from')!).getTime()).toBe(Math.floor(later.getTime() / 60_000) * 60_000);
    await expect(page.getByTestId('audit-empty')).toHaveText('No entries match the filters.');

    // The export carries the same filters; the file is CSV with the phone's number.
    await page.getByTestId('audit-clear').click();
    await page.waitForURL((u) => u.search === '');
    await page.goto(`${e2eEnv().url}/audit?phone=${number}&action=session`);
    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export').click();
    expect((await download).suggestedFilename()).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await (await page.request.get(`${e2eEnv().url}/api/audit/export?phone=${number}&action=session`)).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('id,time,actorType,actor,action,targetType,targetId,target,reason,result,detail');
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual(['session.close', 'session.create']);
    expect(lines[1]).toContain(`,+${number},e2e audit,ok,`);

    // The API validates the filters: a bad time is a 400 naming the field.
    const bad = await page.request.get(`${e2eEnv().url}/api/audit?from=yesterday`);
    expect(bad.status()).toBe(400);
    expect((await bad.json()).details).toEqual([expect.objectContaining({ path: 'from' })]);

    // In Russian, the actions read in Russian.
    await page.context().addCookies([{ name: 'lang', value: 'ru', url: e2eEnv().url }]);
    await page.goto(`${e2eEnv().url}/audit?phone=${number}`);
    await expect(rows.getByTestId('audit-action')).toHaveText(['Сессия закрыта', 'Телефон добавлен']);
    await expect(rows.first().locator('time')).toHaveText(/^(сейчас|\d+ (сек|мин)\. назад)$/);
  });
});

test('the sessions view lives in the URL: reload, Back and Forward keep filters, search, sort and page', async ({ page }) => {
  // 55 rows (two pages of 50).
  const org = await searchClosedRows(page, 'Views', 55);
  await expect(page.getByTestId('page-info')).toHaveText('Page 1 of 2 · 55 phones');
  await page.getByTestId('sort-phone').click();
  await page.waitForURL((u) => u.searchParams.get('sort') === 'phone');
  // Previous cannot be used on page 1, and looks it.
  await expect(page.getByTestId('page-prev')).toBeDisabled();
  await expect(page.getByTestId('page-prev')).toHaveCSS('opacity', '0.5');
  await expect(page.getByTestId('page-next')).toHaveCSS('opacity', '1');
  // Next goes to page 2 and to the top of the page.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  await page.getByTestId('page-next').click();
  await page.waitForURL((u) => u.searchParams.get('page') === '2');
  await expect(page.getByTestId('page-info')).toHaveText('Page 2 of 2 · 55 phones');
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
  await expect(page.getByTestId('page-next')).toBeDisabled();
  await expect(page.getByTestId('page-next')).toHaveCSS('opacity', '0.5');
  const firstOnPage2 = await page.locator('[data-testid^="session-row-"]').first().getAttribute('data-testid');

  // A reload shows the same view; so does the link sent to someone else.
  await page.reload();
  await expect(page.getByTestId('page-info')).toHaveText('Page 2 of 2 · 55 phones');
  await expect(page.getByTestId('filter-search')).toHaveValue(org);
  await expect(page.getByTestId('sort-phone').locator('..')).toHaveAttribute('aria-sort', 'ascending');
  await expect(page.locator('[data-testid^="session-row-"]').first()).toHaveAttribute('data-testid', firstOnPage2!);

  // Back: page 1 of the same view; Forward: page 2 again.
  await page.goBack();
  await expect(page.getByTestId('page-info')).toHaveText('Page 1 of 2 · 55 phones');
  await expect(page.getByTestId('filter-search')).toHaveValue(org);
  await page.goForward();
  await expect(page.getByTestId('page-info')).toHaveText('Page 2 of 2 · 55 phones');

  // A "critical phones" link opens with its filter chosen.
  await page.goto(`${e2eEnv().url}/?health=critical&status=closed`);
  await expect(page.getByTestId('filter-health')).toHaveValue('critical');
  await expect(page.getByTestId('filter-status')).toHaveValue('closed');
  await expect(page.getByTestId('filter-status').locator('option:checked')).toHaveText('Status: Closed');
  // Every status option reads "Status: …" like the other filters, never a raw state such as "closed" (issue 27.18).
  const statusOptions = await page.getByTestId('filter-status').locator('option').allTextContents();
  expect(statusOptions[0]).toBe('Status: All');
  for (const text of statusOptions) expect(text).toMatch(/^Status: [A-Z]/);
});

test('a long list has a page jump: it goes to the page typed, in the URL, at the top', async ({ page }) => {
  // 120 rows (three pages of 50): the jump shows only past two pages.
  await searchClosedRows(page, 'Jump', 120);
  await expect(page.getByTestId('page-info')).toHaveText('Page 1 of 3 · 120 phones');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.getByTestId('page-jump').fill('3');
  await page.getByTestId('page-go').click();
  await page.waitForURL((u) => u.searchParams.get('page') === '3');
  await expect(page.getByTestId('page-info')).toHaveText('Page 3 of 3 · 120 phones');
  await expect(page.locator('[data-testid^="session-row-"]')).toHaveCount(20);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
  await expect(page.getByTestId('page-jump')).toHaveValue('3');
  await expect(page.getByTestId('page-next')).toBeDisabled();
});

test('errors: a bad number names the field; a console that cannot be reached says so', async ({ page }) => {
  await logIn(page);
  await page.getByTestId('add-phone-toggle').click();
  await page.getByTestId('add-org').fill('Errors Org');
  await page.getByTestId('add-phone').fill('12345');
  await page.getByTestId('add-submit').click();
  await expect(page.getByTestId('add-phone-error')).toHaveText('Phone: enter an international number, 7 to 15 digits, e.g. 77051234567');
  await expect(page.getByTestId('add-phone')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('toast-error').last()).toContainText('The request is not valid: Phone: enter an international number');
  // A toast lets clicks through to what lies under it; its own button dismisses it (issue 27.14).
  const toast = page.getByTestId('toast-error').last();
  const box = (await toast.boundingBox())!;
  expect(await page.evaluate(([x, y]) => !!document.elementFromPoint(x, y)?.closest('[data-testid^="toast-"]'), [box.x + 20, box.y + box.height / 2])).toBe(false);
  await toast.getByTestId('toast-dismiss').click();
  await expect(page.getByTestId('toast-error')).toHaveCount(0);

  // The console goes away (every request to it fails at the network): the form says so.
  await page.route('**/api/sessions', (route) => route.abort('connectionrefused'));
  const number = uniquePhone();
  await page.getByTestId('add-phone').fill(number);
  await page.getByTestId('add-label').fill('Front desk');
  await page.getByTestId('add-submit').click();
  await expect(page.getByTestId('toast-error').last()).toHaveText(/The console cannot be reached/);
  await expect(page.getByTestId('add-phone-error')).toHaveCount(0);
  // Back again: the same form adds the phone with its label (issue 27.14: the form has a Label field).
  await page.unroute('**/api/sessions');
  await page.getByTestId('add-submit').click();
  await expect(page.getByTestId(`session-row-${number}`)).toContainText('Front desk');
});

test('a row the stream moves out of the filter is marked, then leaves; the tiles follow', async ({ page }) => {
  await logIn(page);
  const org = `Leaving ${crypto.randomBytes(3).toString('hex')}`;
  const db = createDb(e2eEnv().databaseUrl);
  let id: number;
  try {
    const o = await db.organization.create({ data: { name: org } });
    ({ id } = await db.organizationPhone.create({ data: { organizationId: o.id, phoneJid: `${uniquePhone()}@s.whatsapp.net`, status: 'closed' } }));
  } finally {
    await db.$disconnect();
  }
  await page.goto(`${e2eEnv().url}/?status=closed&q=${encodeURIComponent(org)}`);
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');
  await expect(page.getByTestId(`status-${id}`)).toHaveAttribute('data-status', 'closed');
  await expect(page.getByTestId('summary-closed')).toHaveText('1');
  // Started elsewhere (an API call): the row turns, says it no longer matches, the tiles move.
  expect((await page.request.post(`${e2eEnv().url}/api/sessions/${id}/start`, { headers: origin() })).status()).toBe(200);
  await expect(page.getByTestId(`leaving-${id}`)).toHaveText('no longer matches the filter; leaves on the next refresh');
  await expect(page.getByTestId('summary-closed')).toHaveText('0');
  // … and it leaves with the next read of the page.
  await expect(page.getByTestId('sessions-none')).toBeVisible();
  await page.request.post(`${e2eEnv().url}/api/sessions/${id}/close`, { data: {}, headers: origin() });
});
