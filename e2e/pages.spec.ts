// The other console pages in a real browser: session detail with the demo fault panel, API tokens,
// the language switch, dark mode, and screenshots of every main page at 1280 px and 390 px.
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import { e2eEnv, logIn, uniquePhone, simulatorPost } from './support/env';

const sim = simulatorPost;

async function pair(page: Page, number: string, testInfo?: TestInfo): Promise<string> {
  await page.getByTestId('add-phone-toggle').click();
  await page.getByTestId('add-org').fill('Pages Org');
  await page.getByTestId('add-phone').fill(number);
  await page.getByTestId('add-submit').click();
  // The raw QR string is also in visually hidden text, for screen readers and tests.
  const text = page.getByTestId('pairing-qr-text');
  await expect(text).toHaveText(/^[^,]+,[^,]+,[^,]+,[^,]+$/);
  await expect(page.getByRole('img', { name: 'Pairing QR code' })).toBeVisible();
  if (testInfo) await shoot(page, testInfo, 'pairing-qr-1280');
  await sim(`/phones/${number}/scan`, { qr: await text.textContent() });
  const row = page.getByTestId(`session-row-${number}`);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'open');
  return (await row.locator('[data-testid^="status-"]').getAttribute('data-testid'))!.replace('status-', '');
}

async function shoot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('session detail: the demo fault panel injects faults and the page follows live', async ({ page }, testInfo) => {
  await logIn(page);
  const number = uniquePhone();
  const id = await pair(page, number, testInfo);
  // Messages per minute (in / out) in the table and the traffic panel on the page: none yet.
  await expect(page.getByTestId(`traffic-${id}`)).toHaveText('0 / 0');
  await page.getByTestId(`session-row-${number}`).getByRole('link').click();
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('traffic-rate')).toHaveText('0 / 0');
  await expect(page.getByTestId('traffic-failures')).toHaveText('none');
  await expect(page.getByTestId('fault-panel')).toBeVisible();
  await page.getByTestId('fault-type').selectOption('bad-decrypt');
  await page.getByTestId('fault-inject').click();
  await expect(page.getByTestId('toast-success')).toBeVisible();
  await expect(page.getByTestId('detail-baddecrypt')).toHaveText('1/5');
  await expect(page.getByTestId('detail-health')).toHaveAttribute('data-health', 'degraded');
  await page.getByTestId('fault-type').selectOption('bad-mac');
  await page.getByTestId('fault-inject').click();
  await expect(page.getByTestId('detail-badmac')).toHaveText('1/3');
  await expect(page.getByTestId('timeline')).toContainText('Bad MAC from +15550001111 (1/3)');
  await expect(page.getByTestId('detail-next-close')).toHaveCount(0);
  await page.getByTestId('fault-inject').click();
  await expect(page.getByTestId('detail-badmac')).toHaveText('2/3');
  await expect(page.getByTestId('detail-next-close')).toHaveText('One more Bad MAC closes the session. Restart resets the counters.');
  // More events than the first page holds: "Older events" pages back with the API's before= (issue 27.4).
  for (let i = 0; i < 3; i++) await sim(`/phones/${number}/faults`, { type: 'no-session', count: 20 });
  const entries = page.getByTestId('timeline').locator('li');
  await expect(page.getByTestId('timeline-older')).toBeVisible();
  await expect(entries).toHaveCount(50);
  await page.getByTestId('timeline-older').click();
  await expect.poll(() => entries.count()).toBeGreaterThan(60);
  await expect(entries.last()).toHaveText(/Connecting|Waiting for pairing/);
  // Each injected fault is audited: who sent which fault to which phone.
  const audit = await (await page.request.get(`${e2eEnv().url}/api/audit?targetType=phone&targetId=${id}&limit=50`)).json();
  expect(audit.items.filter((a: { action: string }) => a.action === 'demo.fault').map((a: { detail: { type: string } }) => a.detail.type).sort()).toEqual(['bad-decrypt', 'bad-mac', 'bad-mac']);
  await shoot(page, testInfo, 'detail-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, testInfo, 'detail-390');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  // The demo route goes through the platform's wrapper: CSRF-checked for cookies, body validated.
  const crossSite = await page.request.post(`${e2eEnv().url}/api/demo/faults`, { data: { phoneId: Number(id), type: 'bad-mac' }, headers: { origin: 'http://evil.example' } });
  expect(crossSite.status()).toBe(403);
  const bad = await page.request.post(`${e2eEnv().url}/api/demo/faults`, { data: { phoneId: Number(id), type: 'nonsense' }, headers: { origin: e2eEnv().url } });
  expect(bad.status()).toBe(400);
  const anonymous = await fetch(`${e2eEnv().url}/api/demo/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phoneId: Number(id), type: 'bad-mac' }) });
  expect(anonymous.status).toBe(401);
});

test('API tokens: a created token is shown once with a copy button, then it can be revoked', async ({ page, context }, testInfo) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await logIn(page);
  await page.getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await page.getByTestId('token-name').fill('e2e-script');
  // A new token defaults to read scope.
  await expect(page.getByTestId('token-scope')).toHaveValue('read');
  await page.getByTestId('token-create').click();
  const value = page.getByTestId('token-value');
  await expect(value).toHaveText(/\S{20,}/);
  const token = (await value.textContent())!;
  await page.getByTestId('token-copy').click();
  await expect(page.getByTestId('token-copy')).toHaveText('Copied');
  // The token works for a script.
  const res = await fetch(`${e2eEnv().url}/api/sessions`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  await shoot(page, testInfo, 'tokens-1280');
  // Shown once: after a reload only its prefix is listed.
  await page.reload();
  await expect(page.getByTestId('token-value')).toHaveCount(0);
  const row = page.getByTestId('token-row-e2e-script');
  await page.getByTestId('token-name').focus();
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Revoke' }).click();
  // Revoking asks first: cancel keeps the token working.
  await expect(page.getByRole('dialog')).toContainText('Revoke token e2e-script?');
  await page.getByTestId('confirm-cancel').click();
  expect((await fetch(`${e2eEnv().url}/api/sessions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('toast-success')).toHaveText('Token revoked');
  await expect(row).toContainText('revoked');
  const after = await fetch(`${e2eEnv().url}/api/sessions`, { headers: { authorization: `Bearer ${token}` } });
  expect(after.status).toBe(401);
});

test('the header language switch, dark mode, and screenshots of the main pages on a phone', async ({ page }, testInfo) => {
  await logIn(page);
  await expect(page.getByTestId('current-user')).toHaveText(e2eEnv().adminEmail);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await shoot(page, testInfo, 'sessions-1280');
  await page.getByTestId('language-switch').selectOption('ru');
  await expect(page.getByTestId('sessions-title')).toHaveText('Сессии');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  await expect(page.getByRole('columnheader', { name: /Телефон/ })).toBeVisible();
  await page.getByTestId('language-switch').selectOption('en');
  await expect(page.getByTestId('sessions-title')).toHaveText('Sessions');

  await page.emulateMedia({ colorScheme: 'dark' });
  // Awaited: the browser applies the scheme's styles on its next frame, not at once.
  await expect.poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe('rgb(255, 255, 255)');
  await shoot(page, testInfo, 'sessions-1280-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, testInfo, 'sessions-390');
  // Nothing but the table's own scroller overflows the phone screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.goto(`${e2eEnv().url}/audit`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await shoot(page, testInfo, 'audit-390');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.goto(`${e2eEnv().url}/tokens`);
  await shoot(page, testInfo, 'tokens-390');
});
