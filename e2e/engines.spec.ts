// A phone on each engine in the browser (issue 25): added on baileys-6 (the form's default) or
// baileys-7 (chosen in the Add form) from the start, paired by QR, and used: a message sent from
// its page is delivered, a contact's message arrives, and the page shows the WhatsApp Web version
// the simulator saw at login (issue 25.7). A phone paired on baileys-6 is moved to baileys-7 on its
// page (confirmed; the socket reopens on Baileys 7 with the same pairing, no new QR), where a Bad
// MAC is counted as on 6.7. A phone WhatsApp bans is shown critical with the reason (issue 25.5).
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { addAndPairPhone, e2eEnv, logIn, simulatorCall, simulatorPost } from './support/env';
import { ENGINE_NAMES } from '../lib/sessions/engines/types';

const sim = simulatorPost;

for (const engine of ENGINE_NAMES) {
  test(`a phone added on ${engine} from the start: paired by QR, a sent message delivered, a contact's message received, its WhatsApp Web version shown`, async ({ page }) => {
    await logIn(page);
    // A contact no other test uses: delivery receipt at once, never read, so the status stops at `delivered`.
    const contact = `1555${crypto.randomInt(1_000_000, 10_000_000)}`;
    await simulatorCall('PUT', `/contacts/${contact}`, { receipts: { delivery: 0, read: 'never' } });
    // The form preselects DEFAULT_ENGINE (unset in the e2e console: baileys-6); baileys-7 is chosen.
    await page.getByTestId('add-phone-toggle').click();
    await expect(page.getByTestId('add-engine')).toHaveValue('baileys-6');
    await page.getByTestId('add-phone-toggle').click();
    const { number, id } = await addAndPairPhone(page, { org: 'E2E Engines', engine: engine === 'baileys-6' ? undefined : engine });

    await page.goto(`${e2eEnv().url}/sessions/${id}`);
    await expect(page.getByTestId('detail-engine')).toHaveText(engine);
    await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'open');
    // The version shown is the one this phone's socket announced at login, as the simulator read it.
    const conns = (await simulatorCall('GET', '/connections')) as { phoneJid: string | null; loggedIn: boolean; appVersion: string | null }[];
    const announced = conns.find((c) => c.phoneJid === `${number}@s.whatsapp.net` && c.loggedIn)?.appVersion;
    expect(announced).toMatch(/^2\.3000\.\d+$/);
    await expect(page.getByTestId('detail-wa-version')).toHaveText(announced!);

    await page.getByTestId('tab-messages').click();
    await page.getByTestId('message-to').fill(contact);
    await page.getByTestId('message-text').fill(`Hello on ${engine}`);
    await page.getByTestId('message-send').click();
    const sent = page.getByTestId('messages-list').locator('li[data-direction="out"]');
    await expect(sent).toHaveCount(1);
    await expect(sent).toContainText(`Hello on ${engine}`);
    await expect(sent.locator('[data-testid^="message-status-"]')).toHaveAttribute('data-status', 'delivered');
    const sentId = (await sent.getAttribute('data-testid'))!.replace('message-', '');
    const inbox = (await simulatorCall('GET', `/contacts/${contact}/inbox`)) as { id: string; text?: string; times: number }[];
    expect(inbox.map((m) => [m.id, m.text, m.times])).toEqual([[sentId, `Hello on ${engine}`, 1]]);

    const { id: inId } = (await sim(`/contacts/${contact}/send`, { to: `${number}@s.whatsapp.net`, text: `Hi back on ${engine}` })) as { id: string };
    await expect(page.getByTestId(`message-${inId}`)).toContainText(`Hi back on ${engine}`);
    await expect(page.getByTestId(`message-${inId}`)).toContainText(`from +${contact}`);
    await expect(page.getByTestId(`message-status-${inId}`)).toHaveAttribute('data-status', 'received');
    // Still on the engine it was added with.
    await expect(page.getByTestId('detail-engine')).toHaveText(engine);
  });
}

test('the Add API refuses an engine it does not know, naming the field', async ({ page }) => {
  await logIn(page);
  const res = await page.request.post(`${e2eEnv().url}/api/sessions`, {
    data: { organizationName: 'E2E Engines', phone: '77050000001', engine: 'baileys-8', start: false },
    headers: { origin: e2eEnv().url },
  });
  expect(res.status()).toBe(400);
  const body = (await res.json()) as { details?: { path: string }[] };
  expect(body.details?.map((d) => d.path)).toContain('engine');
});

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
