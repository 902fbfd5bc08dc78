import { test, expect } from '@playwright/test';
import { e2eEnv, logIn } from './support/env';

test('an unauthenticated visit redirects to the login page', async ({ page }) => {
  await page.goto(`${e2eEnv().url}/`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await expect(page.getByRole('heading', { name: 'WhatsApp session console' })).toBeVisible();
});

test('a wrong password shows an error', async ({ page }) => {
  await page.goto(`${e2eEnv().url}/login`);
  await page.getByLabel('Email').fill(e2eEnv().adminEmail);
  await page.getByLabel('Password').fill('definitely-wrong');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('Invalid email or password');
  await expect(page).toHaveURL(/\/login/);
});

test('the right password lands on the sessions page, and logout works', async ({ page }, testInfo) => {
  await logIn(page);
  await expect(page.getByTestId('sessions-title')).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText(e2eEnv().adminEmail);
  await page.screenshot({ path: testInfo.outputPath('sessions-page.png'), fullPage: true });
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto(`${e2eEnv().url}/`);
  await expect(page).toHaveURL(/\/login/);
});
