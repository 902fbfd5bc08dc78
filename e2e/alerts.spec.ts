// The Alerts page in a real browser (issue 26 item 7): an open incident is listed with its phone,
// and acknowledging it says so (toast) and shows who did it. The incident is written to the
// database as the alerter writes it; the alerts themselves are tested in test/integration/alerts.
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { e2eEnv, logIn, uniquePhone } from './support/env';
import { createDb } from '../lib/db/client';

test('alerts page: see an open incident, acknowledge it', async ({ page }) => {
  const number = uniquePhone();
  const db = createDb(e2eEnv().databaseUrl);
  let incidentId: number;
  try {
    const org = await db.organization.create({ data: { name: `Alerts ${crypto.randomBytes(3).toString('hex')}` } });
    const phone = await db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: `${number}@s.whatsapp.net`, status: 'logged_out' } });
    const key = `phone:${phone.id}:logged_out`;
    incidentId = (await db.alertIncident.create({ data: { openKey: key, key, kind: 'logged_out', phoneId: phone.id, phoneJid: phone.phoneJid, organizationId: org.id, reason: 'Logged out by WhatsApp (401)' } })).id;
  } finally {
    await db.$disconnect();
  }
  await logIn(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
  const row = page.getByTestId(`incident-${incidentId}`);
  await expect(row).toContainText(`+${number}`);
  await expect(row).toContainText('logged out');
  await expect(row.getByTestId('incident-state')).toHaveText('open');
  await row.getByTestId(`ack-${incidentId}`).click();
  await expect(page.getByTestId('toast-success')).toContainText('Incident acknowledged');
  await expect(row.getByTestId('incident-ack')).toContainText(e2eEnv().adminEmail);
  await expect(row.getByTestId(`ack-${incidentId}`)).toHaveCount(0);
});
