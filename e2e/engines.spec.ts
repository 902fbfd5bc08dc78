// A phone on each engine in the browser: paired on baileys-6 (the default), moved to baileys-7
// on its page (confirmed; the socket reopens on Baileys 7 with the same pairing, no new QR), where
// a message from a contact arrives and a Bad MAC is counted as on 6.7. A phone WhatsApp bans is
// shown critical with the reason (issue 25.5).
import { test, expect } from '@playwright/test';
import { addAndPairPhone, e2eEnv, logIn, simulatorPost } from './support/env';

const sim = simulatorPost;

test('pair on baileys-6, move to baileys-7 on the phone page, a Bad MAC counted there', async ({ page }) => {
  await logIn(page);
  const { number, id } = await addAndPairPhone(page, { org: 'E2E Engines' });

  await page.goto(`${e2eEnv().url}/sessions/${id}`);
  await expect(page.getByTestId('detail-engine')).toHaveText('baileys-6');
  await expect(page.getByTestId('detail-lid')).toHaveText(/@lid$/);
  await page.getByTestId('settings-engine').selectOption('baileys-7');
  await page.getByTestId('settings-save').click();
  await expect(page.getByRole('dialog')).toContainText('opened again on the new engine');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Settings saved' })).toBeVisible();
  await expect(page.getByTestId('detail-engine')).toHaveText('baileys-7');
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('pairing-qr')).toHaveCount(0);

  await sim(`/phones/${number}/faults`, { type: 'bad-mac' });
  await expect(page.getByTestId('detail-badmac')).toHaveText('1/3');
});

test('a phone WhatsApp bans (402) is shown critical with the reason, on its page and in the list', async ({ page }) => {
  await logIn(page);
  const { number, id } = await addAndPairPhone(page, { org: 'E2E Engines' });

  await page.goto(`${e2eEnv().url}/sessions/${id}`);
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'open');
  await sim(`/phones/${number}/faults`, { type: 'stream-error', code: 402 });
  // Live, from the stream: closed for good, critical, and why.
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'closed');
  await expect(page.getByTestId('detail-health')).toHaveAttribute('data-health', 'critical');
  await expect(page.getByTestId('detail-health-reason')).toHaveAttribute('data-reason', 'banned');
  // And from the server, in the list.
  await page.goto(`${e2eEnv().url}/?q=${number}`);
  await expect(page.getByTestId(`health-${id}`)).toHaveAttribute('data-health', 'critical');
  await expect(page.getByTestId(`health-reason-${id}`)).toHaveText(/banned by WhatsApp/);
});
