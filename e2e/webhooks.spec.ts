// The Webhooks page in a real browser: an organization's endpoint with a write-only secret, a real
// delivery that fails (status, attempts, last error, payload), then "Send again" once the receiver works.
import { test, expect } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { e2eEnv, logIn, uniquePhone } from './support/env';

test('webhooks page: organization endpoint, failed delivery, send again', async ({ page }) => {
  test.setTimeout(120_000);
  let fail = true;
  const received: { id: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ id: String(req.headers['webhook-id']), body });
      res.writeHead(fail ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    await logIn(page);
    const { url, simulatorUrl } = e2eEnv();
    const number = uniquePhone();
    const headers = { origin: url };
    const created = await page.request.post(`${url}/api/sessions`, { data: { organizationName: 'Hooks Org', phone: number }, headers });
    expect(created.status()).toBe(201);
    const phone = (await created.json()) as { id: number; organizationId: number };

    await page.goto(`${url}/webhooks`);
    const form = page.getByTestId('org-webhook-Hooks Org');
    await form.getByTestId('org-webhook-url').fill(hookUrl);
    await form.getByTestId('org-webhook-secret').fill('a-secret-of-enough-length');
    await form.getByTestId('org-webhook-save').click();
    await expect(page.getByTestId('toast-success')).toBeVisible();
    await page.reload();
    await expect(form.getByTestId('org-webhook-url')).toHaveValue(hookUrl);
    await expect(form.getByTestId('org-webhook-secret')).toHaveValue('');
    await expect(form.getByTestId('org-webhook-secret')).toHaveAttribute('placeholder', /set/);
    expect(await page.content()).not.toContain('a-secret-of-enough-length');

    // Pair the phone through the simulator, then two Bad MACs: the seed's critical warning goes out.
    await expect.poll(async () => (await (await page.request.get(`${url}/api/sessions/${phone.id}/qr`)).json()).qr ?? null).not.toBeNull();
    const { qr } = (await (await page.request.get(`${url}/api/sessions/${phone.id}/qr`)).json()) as { qr: string };
    const scan = await fetch(`${simulatorUrl}/phones/${number}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr }) });
    expect(scan.ok).toBe(true);
    await expect.poll(async () => (await (await page.request.get(`${url}/api/sessions/${phone.id}`)).json()).status).toBe('open');
    const faults = await page.request.post(`${url}/api/demo/faults`, { data: { phoneId: phone.id, type: 'bad-mac', count: 2 }, headers });
    expect(faults.status()).toBe(200);

    // Three failed attempts (WEBHOOK_MAX_ATTEMPTS=3 in e2e/support/global-setup.ts, about 1 s apart): the page shows it failed, with the error.
    const row = page.getByTestId('deliveries-table').locator('tr', { hasText: 'session_error_warning' }).first();
    await expect(row.getByTestId('delivery-status')).toHaveText('failed');
    await expect(row).toContainText('3/3');
    await expect(row).toContainText('HTTP 500');
    await row.getByRole('button', { name: 'session_error_warning' }).click();
    await expect(row.locator('pre')).toContainText('"currentCount": 2');

    fail = false;
    await row.getByTestId('delivery-send-again').click();
    await expect(page.getByTestId('toast-success')).toBeVisible();
    await expect(row.getByTestId('delivery-status')).toHaveText('delivered');
    const ids = new Set(received.filter((r) => r.body.includes('session_error_warning')).map((r) => r.id));
    expect(ids.size).toBe(1); // every attempt and the resend carry one webhook-id
  } finally {
    server.close();
  }
});
