// Issue 11 in Chromium: the pages satisfy their Content-Security-Policy (no violation on the
// login and sessions pages), only same-origin paths are followed after sign-in, and the login
// form shows the throttle message (the sign-in answers 429).
import { test, expect, type Page } from '@playwright/test';
import { e2eEnv, logIn } from './support/env';

/** Collects CSP violations (the DOM event and Chromium's console errors) from the first byte. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const seen: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(msg.text())) seen.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => seen.push(`pageerror: ${err.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return async () => [...seen, ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []))];
}

test('login and sessions pages run under their CSP without a single violation', async ({ page }) => {
  const violations = await watchCsp(page);
  const res = await page.goto(`${e2eEnv().url}/login`);
  expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  await expect(page.getByTestId('login-submit')).toBeEnabled();
  expect(await violations()).toEqual([]);
  await logIn(page);
  await expect(page.getByTestId('sessions-title')).toBeVisible();
  // Interactive: React hydrated and ran (the nonce'd scripts loaded what they import).
  await page.waitForLoadState('networkidle');
  expect(await violations()).toEqual([]);
  await page.goto(`${e2eEnv().url}/tokens`);
  await page.waitForLoadState('networkidle');
  expect(await violations()).toEqual([]);
  // The not-found page too (no statically prerendered page without the nonce).
  await page.goto(`${e2eEnv().url}/no-such-page`);
  await page.waitForLoadState('networkidle');
  await page.goto(`${e2eEnv().url}/sessions/999999`);
  await page.waitForLoadState('networkidle');
  expect(await violations()).toEqual([]);
});

for (const target of ['//other-host.test/phish', '/\\other-host.test/phish', '/\t/other-host.test/phish', 'https://other-host.test/phish', 'http://127.0.0.1:1/phish']) {
  test(`callbackUrl ${JSON.stringify(target)} stays on the console`, async ({ page }) => {
    const { url } = e2eEnv();
    await page.goto(`${url}/login?callbackUrl=${encodeURIComponent(target)}`);
    await page.getByTestId('login-email').fill(e2eEnv().adminEmail);
    await page.getByTestId('login-password').fill(e2eEnv().adminPassword);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    expect(new URL(page.url()).origin).toBe(new URL(url).origin);
  });
}

test('a same-origin callbackUrl is followed', async ({ page }) => {
  const { url } = e2eEnv();
  await page.goto(`${url}/login?callbackUrl=${encodeURIComponent('/tokens')}`);
  await page.getByTestId('login-email').fill(e2eEnv().adminEmail);
  await page.getByTestId('login-password').fill(e2eEnv().adminPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => u.pathname === '/tokens');
});

test('the login form shows the throttle message once the sign-in answers 429', async ({ page }) => {
  // A throwaway email: the throttle counts per email and address, the admin is not affected.
  await page.goto(`${e2eEnv().url}/login`);
  const statuses: number[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('/api/auth/callback/credentials')) statuses.push(r.status());
  });
  for (let i = 0; i < 6; i++) {
    await page.getByTestId('login-email').fill('throttled@e2e.test');
    await page.getByTestId('login-password').fill(`wrong-${i}`);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => statuses.length).toBe(i + 1);
    await expect(page.getByTestId('login-submit')).toBeEnabled();
  }
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  await expect(page.getByTestId('login-error')).toContainText('Too many failed sign-in attempts');
});
