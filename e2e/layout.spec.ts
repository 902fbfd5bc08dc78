// The phone-sized layout (issue 27.14): at 390 px no page scrolls sideways, in English and Russian,
// with content that tends to push (a long label, a long webhook URL, a delivery with its payload).
// The row's More menu opens inside the viewport, by the last row of the table too. At 1280 px a
// row's actions stay on one line and a node's name is not broken mid-word.
import crypto from 'node:crypto';
import { test, expect, type Page } from '@playwright/test';
import { addAndPairPhone, e2eEnv, logIn } from './support/env';
import { createDb } from '../lib/db/client';

async function seed(): Promise<number> {
  const db = createDb(e2eEnv().databaseUrl);
  try {
    const org = await db.organization.create({ data: { name: `Layout ${crypto.randomBytes(3).toString('hex')}`, webhookUrl: `http://127.0.0.1:9/a/rather/long/path/to/a/webhook/receiver/${'x'.repeat(60)}` } });
    const phone = await db.organizationPhone.create({
      data: { organizationId: org.id, phoneJid: `7708${crypto.randomInt(1_000_000, 9_999_999)}@s.whatsapp.net`, label: 'Reception desk, second floor, east wing', status: 'closed', lastCloseReason: 'Bad MAC limit reached (3/3)' },
    });
    await db.webhookOutbox.create({
      data: {
        messageId: `msg_layout_${crypto.randomBytes(6).toString('hex')}`, event: 'session_error_warning', url: `http://127.0.0.1:9/a/rather/long/path/${'y'.repeat(80)}`, organizationId: org.id,
        payload: JSON.stringify({ type: 'session_error_warning', phoneJid: phone.phoneJid, reason: 'z'.repeat(300) }), status: 'failed', attempts: 3, maxAttempts: 3,
        nextAttemptAt: new Date(), lastError: 'connect ECONNREFUSED 127.0.0.1:9 (a long error text that should wrap rather than push the page)', lastStatusCode: null,
      },
    });
    return phone.id;
  } finally {
    await db.$disconnect();
  }
}

/** How far the page scrolls sideways (0: not at all). */
const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The innermost elements reaching past the right edge (what to fix), outside boxes that scroll sideways themselves. */
const widest = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p; p = p.parentElement) if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
      return false;
    };
    const over = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el));
    return over
      .filter((el) => !over.some((o) => o !== el && el.contains(o)))
      .slice(0, 3)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}"> ${(el.textContent ?? '').trim().slice(0, 40)}`)
      .join(' | ');
  });

for (const lang of ['en', 'ru'] as const) {
  test(`390 px: no page scrolls sideways (${lang})`, async ({ page, context }) => {
    const id = await seed();
    await context.addCookies([{ name: 'lang', value: lang, url: e2eEnv().url }]);
    await page.setViewportSize({ width: 390, height: 844 });
    await logIn(page);
    const wide: string[] = [];
    for (const p of ['/', `/sessions/${id}`, '/alerts', '/audit', '/users', '/webhooks', '/nodes', '/tokens']) {
      await page.goto(`${e2eEnv().url}${p}`);
      await expect(page.locator('h1').first()).toBeVisible();
      // The lists fill in after the first paint: wait for what each page loads.
      if (p === '/webhooks') await expect(page.getByTestId('deliveries-table')).toBeVisible();
      if (p === '/') await expect(page.getByTestId('sessions-table')).toBeVisible();
      const by = await sideways(page);
      if (by > 0) wide.push(`${p}: ${by} px: ${await widest(page)}`);
    }
    expect(wide).toEqual([]);
  });
}

test('390 px: a row\'s More menu opens inside the viewport, also for the last row', async ({ page }) => {
  const id = await seed();
  await page.setViewportSize({ width: 390, height: 844 });
  await logIn(page);
  // The page is hydrated (the live stream is up) before its buttons are clicked.
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');
  const more = page.getByTestId(`more-${id}`);
  await more.scrollIntoViewIfNeeded();
  // Scrolled so that the button sits near the bottom edge: the menu opens above it.
  await page.evaluate((testId) => {
    const el = document.querySelector(`[data-testid="${testId}"]`)!;
    window.scrollBy(0, el.getBoundingClientRect().bottom - window.innerHeight + 8);
  }, `more-${id}`);
  await more.click();
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  const box = (await menu.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(844);
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  // Clicking elsewhere closes it.
  await page.getByTestId('sessions-title').click();
  await expect(menu).toHaveCount(0);
});

for (const lang of ['en', 'ru'] as const) test(`1280 px: a running row keeps Restart and More on one line, in the window, and its node name whole (${lang})`, async ({ page, context }) => {
  await context.addCookies([{ name: 'lang', value: lang, url: e2eEnv().url }]);
  await logIn(page);
  const { id } = await addAndPairPhone(page, { org: 'Layout Org' });
  const node = page.getByTestId(`node-${id}`);
  await expect(node).not.toHaveText('—');
  // One line of text: the cell's text is no taller than its line height.
  const lines = await node.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getClientRects().length;
  });
  expect(lines).toBe(1);
  const restart = (await page.getByTestId(`restart-${id}`).boundingBox())!;
  const more = (await page.getByTestId(`more-${id}`).boundingBox())!;
  expect(Math.abs(restart.y - more.y)).toBeLessThan(2);
  // … and within the 1280 px window, not behind the table's sideways scroll (the longer Russian
  // headers make the table wider than the window: the actions column stays at its right edge).
  expect(more.x + more.width).toBeLessThanOrEqual(1280);
  // The open menu lies above the rows under it (their sticky actions cells too): its last item is
  // what a click at its centre reaches.
  await page.getByTestId(`more-${id}`).click();
  const last = page.getByRole('menuitem').last();
  await expect(last).toBeVisible();
  expect(await last.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el;
  })).toBe(true);
  // A scroll that moves the button closes the menu (it would drift from it); room to scroll is made first.
  await page.evaluate(() => { document.body.style.minHeight = '300vh'; window.scrollBy(0, 200); });
  await expect(page.getByRole('menu')).toHaveCount(0);
});
