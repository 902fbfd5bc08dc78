// The phone page's Messages tab (issue 24.10): an admin sends a text from the page and watches
// its status go to `read` live (the simulator's contact sends delivery and read receipts), and a
// message a contact sends through the simulator appears live in the tab.
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { addAndPairPhone, e2eEnv, logIn, uniquePhone, simulatorCall, simulatorPost } from './support/env';

test('send a text from the phone page, its status goes to read; a contact\'s message arrives live', async ({ page }) => {
  await logIn(page);
  const number = uniquePhone();
  // A contact no other test uses (created by the simulator on first use): read receipts after 300 ms.
  const contact = `1555${crypto.randomInt(1_000_000, 10_000_000)}`;
  await simulatorCall('PUT', `/contacts/${contact}`, { receipts: { delivery: 0, read: 300 } });
  const { id } = await addAndPairPhone(page, { org: 'E2E Messages', number });

  await page.goto(`${e2eEnv().url}/sessions/${id}`);
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'open');
  await page.getByTestId('tab-messages').click();
  await expect(page.getByTestId('tab-messages')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('messages-empty')).toBeVisible();

  await page.getByTestId('message-to').fill(contact);
  await page.getByTestId('message-text').fill('Hello from the phone page');
  await page.getByTestId('message-send').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Message queued' })).toBeVisible();
  const sent = page.getByTestId('messages-list').locator('li[data-direction="out"]');
  await expect(sent).toHaveCount(1);
  await expect(sent).toContainText('Hello from the phone page');
  await expect(sent).toContainText(`to +${contact}`);
  // queued → sent → delivered → read, from the stream's message.status events.
  await expect(sent.locator('[data-testid^="message-status-"]')).toHaveAttribute('data-status', 'read');
  const sentId = (await sent.getAttribute('data-testid'))!.replace('message-', '');
  // The contact shows it once, under the id the console stored.
  const inbox = (await simulatorCall('GET', `/contacts/${contact}/inbox`)) as { id: string; text?: string; times: number }[];
  expect(inbox.map((m) => [m.id, m.text, m.times])).toEqual([[sentId, 'Hello from the phone page', 1]]);

  // The contact answers: the message appears in the open tab without a reload.
  const { id: inId } = (await simulatorPost(`/contacts/${contact}/send`, { to: `${number}@s.whatsapp.net`, text: 'Hi from the contact' })) as { id: string };
  const received = page.getByTestId(`message-${inId}`);
  await expect(received).toContainText('Hi from the contact');
  await expect(received).toContainText(`from +${contact}`);
  await expect(page.getByTestId(`message-status-${inId}`)).toHaveAttribute('data-status', 'received');
  await expect(page.getByTestId('messages-counts')).toHaveText('The latest 2: read 1, received 1');
});
