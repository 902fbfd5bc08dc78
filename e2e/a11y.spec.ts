// Accessibility (issue 14 item 13): axe-core reports no serious or critical finding on any page,
// in both themes and both languages; buttons and form controls are at least 24 px; the phone
// layout has a visible sort control. Also the theme switch (light, dark, system) is kept.
import path from 'node:path';
import crypto from 'node:crypto';
import { test, expect, type Page } from '@playwright/test';
import { e2eEnv, logIn } from './support/env';
import { createDb } from '../lib/db/client';

const AXE = path.resolve(__dirname, '../node_modules/axe-core/axe.min.js');

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] };

async function seriousFindings(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  })) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')} (${v.nodes.length})`);
}

/** Buttons, selects, inputs and navigation links smaller than 24 × 24 px (WCAG 2.5.8). */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, select, input:not([type=hidden]), summary, nav a, td a')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue; // not shown
      if (getComputedStyle(el).visibility === 'hidden') continue;
      if (r.width < 24 || r.height < 24) out.push(`${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') ?? el.textContent?.trim().slice(0, 20)}] ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  });
}

async function seedOne(): Promise<number> {
  const db = createDb(e2eEnv().databaseUrl);
  try {
    const org = await db.organization.create({ data: { name: `A11y ${crypto.randomBytes(3).toString('hex')}` } });
    const phone = await db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: `7707${crypto.randomInt(1_000_000, 9_999_999)}@s.whatsapp.net`, label: 'Front desk', status: 'closed', lastCloseReason: 'Bad MAC limit reached (3/3)' } });
    await db.sessionEvent.createMany({ data: [
      { phoneId: phone.id, type: 'state:open' },
      { phoneId: phone.id, type: 'decrypt:bad-mac', sender: '15550001111@s.whatsapp.net', count: 3, message: 'Bad MAC', detail: JSON.stringify({ max: 3, deletedKeys: 4 }) },
      { phoneId: phone.id, type: 'state:closed', message: 'Bad MAC limit reached (3/3)' },
    ] });
    // An open incident, so the Alerts page shows its table and controls.
    const key = `phone:${phone.id}:auto_closed`;
    await db.alertIncident.create({ data: { openKey: key, key, kind: 'auto_closed', phoneId: phone.id, phoneJid: phone.phoneJid, organizationId: org.id, reason: 'Bad MAC limit reached (3/3)' } });
    return phone.id;
  } finally {
    await db.$disconnect();
  }
}

for (const lang of ['en', 'ru'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`axe: no serious or critical findings on every page (${lang}, ${theme})`, async ({ page, context }) => {
      const id = await seedOne();
      await context.addCookies([{ name: 'lang', value: lang, url: e2eEnv().url }]);
      await page.addInitScript((th) => localStorage.setItem('theme', th), theme);
      const findings: string[] = [];
      await page.goto(`${e2eEnv().url}/login`);
      findings.push(...(await seriousFindings(page)).map((f) => `/login: ${f}`));
      await logIn(page);
      await expect(page.locator('html')).toHaveClass(theme === 'dark' ? /dark/ : /^(?!.*dark).*$/);
      const pages = ['/', `/sessions/${id}`, '/nodes', '/alerts', '/audit', '/tokens', '/users', '/webhooks', '/sessions/99999'];
      for (const p of pages) {
        await page.goto(`${e2eEnv().url}${p}`);
        await expect(page.locator('h1').first()).toBeVisible();
        findings.push(...(await seriousFindings(page)).map((f) => `${p}: ${f}`));
        findings.push(...(await smallTargets(page)).map((f) => `${p}: small target ${f}`));
      }
      // The add-phone form and a confirmation dialog, open.
      await page.goto(`${e2eEnv().url}/`);
      // The page is hydrated (the live stream is up) before its buttons are clicked.
      await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');
      await page.getByTestId('add-phone-toggle').click();
      // The seeded phone was never linked: Pair is its inline action, Restart waits in the More menu.
      await page.getByTestId(`more-${id}`).click();
      await page.getByTestId(`restart-${id}`).click();
      await expect(page.getByRole('dialog')).toBeVisible();
      findings.push(...(await seriousFindings(page)).map((f) => `dialog: ${f}`));
      // A row's More menu, open.
      await page.getByTestId('confirm-cancel').click();
      await page.getByTestId(`more-${id}`).click();
      await expect(page.getByRole('menu')).toBeVisible();
      findings.push(...(await seriousFindings(page)).map((f) => `row menu: ${f}`));
      expect(findings).toEqual([]);
    });
  }
}

test('phone layout: a visible sort control, no overflow; the theme switch is kept across pages', async ({ page }) => {
  await seedOne();
  await logIn(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId('sort-field')).toBeVisible();
  await expect(page.getByTestId('sort-dir')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  expect(await smallTargets(page)).toEqual([]);
  // No invisible focus stops: everything focusable on the phone layout has a visible size.
  const invisible = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
      .filter((el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0)
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width < 2 || r.height < 2;
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  expect(invisible).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('theme-switch').selectOption('dark');
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.goto(`${e2eEnv().url}/audit`);
  await expect(page.locator('html')).toHaveClass(/dark/);
  await expect(page.getByTestId('theme-switch')).toHaveValue('dark');
  await page.getByTestId('theme-switch').selectOption('light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await page.getByTestId('theme-switch').selectOption('system');
  await expect(page.locator('html')).toHaveClass(/dark/);
});
