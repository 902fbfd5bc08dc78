// The Users page in a real browser: an admin invites a viewer, the viewer signs in with the
// one-time password and sees the console without the Users page; the admin promotes, signs out
// and deletes them. Emails are unique per run, so a retry starts clean.
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { e2eEnv, logIn } from './support/env';

test('users: invite a viewer, who signs in with the one-time password; promote, sign out, delete', async ({ page, browser }) => {
  const email = `viewer-${crypto.randomBytes(4).toString('hex')}@test.local`;
  await logIn(page);
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await page.getByTestId('user-email').fill(email);
  await page.getByTestId('user-role').selectOption('viewer');
  await page.getByTestId('user-invite').click();
  const password = (await page.getByTestId('user-password').textContent())!.trim();
  expect(password).toMatch(/^[\w-]{16}$/);
  const row = page.getByTestId(`user-row-${email}`);
  await expect(row.getByTestId('user-row-role')).toHaveText('viewer');

  // The invited viewer signs in in another browser context: no Users link, and /users says admins only.
  const other = await browser.newContext();
  const viewer = await other.newPage();
  await logIn(viewer, email, password);
  await expect(viewer.getByTestId('current-user')).toHaveText(email);
  await expect(viewer.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await viewer.goto(`${e2eEnv().url}/users`);
  await expect(viewer.getByText('Only admins can manage users.')).toBeVisible();

  // Promotion ends the viewer's session: their next page load goes to the sign-in page.
  await row.getByTestId('user-toggle-role').click();
  await expect(page.getByTestId('toast-success').last()).toContainText('Role changed');
  await expect(row.getByTestId('user-row-role')).toHaveText('admin');
  await viewer.goto(`${e2eEnv().url}/`);
  await viewer.waitForURL((u) => u.pathname.startsWith('/login'));
  await logIn(viewer, email, password);
  await expect(viewer.getByRole('link', { name: 'Users' })).toBeVisible();

  await row.getByTestId('user-sign-out').click();
  await expect(page.getByTestId('toast-success').last()).toContainText('User signed out');
  await viewer.goto(`${e2eEnv().url}/`);
  await viewer.waitForURL((u) => u.pathname.startsWith('/login'));
  await other.close();

  await row.getByTestId('user-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expect(row).toHaveCount(0);

  // The first admin cannot be demoted while it is the only one: the error says why.
  const me = page.getByTestId(`user-row-${e2eEnv().adminEmail}`);
  await me.getByTestId('user-toggle-role').click();
  await expect(page.getByTestId('toast-error').last()).toContainText('at least one admin');
});
