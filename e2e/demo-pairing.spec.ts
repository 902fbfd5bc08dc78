// Issue 27, item 11: in demo mode (the console runs against the local simulator, as every e2e
// console does) the pairing dialog lets the simulated phone do the phone's part, without the
// simulator's API: "Simulate scan" for the QR, "Type the code on the simulated phone" for the
// pairing code. Each links the phone (the row turns connected) and is audited.
import { test, expect, type Page } from '@playwright/test';
import { e2eEnv, logIn, uniquePhone } from './support/env';

async function addPhone(page: Page, number: string) {
  await page.getByTestId('add-phone-toggle').click();
  await page.getByTestId('add-org').fill('E2E Demo pairing');
  await page.getByTestId('add-phone').fill(number);
  await page.getByTestId('add-submit').click();
  await expect(page.getByTestId('pairing-qr')).toBeVisible();
}

/** The audit entries of one action about one phone (by its number). */
async function auditOf(page: Page, action: string, number: string) {
  const res = await page.request.get(`${e2eEnv().url}/api/audit?action=${action}&phone=${number}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: { result: string; targetLabel: string | null }[] }).items;
}

test('demo mode: "Simulate scan" links the phone shown in the dialog, and is audited', async ({ page }) => {
  await logIn(page);
  const number = uniquePhone();
  await addPhone(page, number);
  const scan = page.getByTestId('pairing-simulate-scan');
  await expect(scan).toHaveText('Simulate scan');
  await scan.click();
  await expect(page.getByTestId(`session-row-${number}`).locator('[data-status]')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('pairing-connected')).toBeVisible();
  await expect.poll(() => auditOf(page, 'demo.scan', number)).toEqual([expect.objectContaining({ result: 'ok', targetLabel: `+${number}` })]);
});

test('demo mode, in Russian: "Type the code on the simulated phone" links the phone by its pairing code', async ({ page, context }) => {
  await context.addCookies([{ name: 'lang', value: 'ru', url: e2eEnv().url }]);
  await logIn(page);
  const number = uniquePhone();
  await addPhone(page, number);
  // No code asked for yet: only the scan is offered.
  await expect(page.getByTestId('pairing-simulate-code')).toHaveCount(0);
  await page.getByTestId('pairing-use-code').click();
  await expect(page.getByTestId('pairing-code')).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const type = page.getByTestId('pairing-simulate-code');
  await expect(type).toHaveText('Ввести код на симулированном телефоне');
  await type.click();
  await expect(page.getByTestId(`session-row-${number}`).locator('[data-status]')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('pairing-connected')).toBeVisible();
  await expect.poll(() => auditOf(page, 'demo.code', number)).toEqual([expect.objectContaining({ result: 'ok', targetLabel: `+${number}` })]);
});

test('the demo pairing routes answer 409 not_pairing for a phone that shows no QR', async ({ page }) => {
  await logIn(page);
  const number = uniquePhone();
  const added = await page.request.post(`${e2eEnv().url}/api/sessions`, { data: { organizationName: 'E2E Demo pairing', phone: number, start: false }, headers: { origin: e2eEnv().url } });
  expect(added.status()).toBe(201);
  const { id } = (await added.json()) as { id: number };
  for (const method of ['scan', 'pairing-code']) {
    const res = await page.request.post(`${e2eEnv().url}/api/demo/sessions/${id}/${method}`, { headers: { origin: e2eEnv().url } });
    expect(res.status(), method).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('not_pairing');
  }
});
