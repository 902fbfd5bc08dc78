// In a real browser: once a user's sessions end (here: their role changes), the open console
// cannot go on. A client-side navigation renders only the page segment on the server, without the
// layout, so every page checks the session itself.
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { e2eEnv, logIn } from './support/env';
import { createDb } from '../lib/db/client';
import { createUser, setUserRole } from '../lib/auth/users';

test('a demoted admin is sent to the login page on the next navigation', async ({ page }) => {
  const db = createDb(e2eEnv().databaseUrl);
  try {
    const email = `demoted-${crypto.randomBytes(3).toString('hex')}@e2e.local`;
    const user = await createUser(db, { email, password: 'demoted-password', role: 'admin' }, 4);
    await logIn(page, email, 'demoted-password');
    await expect(page.getByTestId('sessions-title')).toBeVisible();
    await expect(page.getByTestId('add-phone-toggle')).toBeVisible();
    await setUserRole(db, user.id, 'viewer');
    await page.getByRole('navigation').getByRole('link', { name: 'Audit' }).click();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByTestId('audit-table')).toHaveCount(0);
    // Signing in again gives the new role.
    await logIn(page, email, 'demoted-password');
    await expect(page.getByTestId('sessions-title')).toBeVisible();
    await expect(page.getByTestId('add-phone-toggle')).toHaveCount(0);
  } finally {
    await db.$disconnect();
  }
});
