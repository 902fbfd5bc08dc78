// The Webhooks page in a real browser: an organization's endpoint with a write-only secret, a real
// delivery that fails (status, attempts, last error, payload), then "Send again" once the receiver works.
import { test, expect } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import { e2eEnv, logIn, uniquePhone } from './support/env';
import { createDb } from '../lib/db/client';

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

    // "Send test" (issue 27.15): one signed attempt to the saved endpoint, its outcome said beside
    // the form and listed with the organization's name. The receiver answers 500 first, then 204.
    await form.getByTestId('org-webhook-test').click();
    await expect(form.getByTestId('org-webhook-test-result')).toHaveText('Test failed: HTTP 500');
    // This organization's test (the error webhook's tests share the table).
    const testRow = page.getByTestId('deliveries-table').locator('tr', { hasText: 'webhook_test' }).filter({ hasText: 'Hooks Org' }).first();
    await expect(testRow.getByTestId('delivery-status')).toHaveText('failed');
    await expect(testRow.getByTestId('delivery-organization')).toContainText('Hooks Org');
    await expect(testRow.getByTestId('delivery-phone')).toHaveText('—');
    fail = false;
    await form.getByTestId('org-webhook-test').click();
    await expect(form.getByTestId('org-webhook-test-result')).toHaveText('Test delivered (HTTP 204)');
    const tests = received.filter((r) => r.body.includes('"webhook_test"'));
    expect(tests).toHaveLength(2);
    expect(JSON.parse(tests[1].body)).toMatchObject({ type: 'webhook_test', organizationId: phone.organizationId });
    fail = true;

    // Pair the phone through the simulator, then two Bad MACs: the seed's critical warning goes out.
    await expect.poll(async () => (await (await page.request.get(`${url}/api/sessions/${phone.id}/qr`)).json()).qr ?? null).not.toBeNull();
    const { qr } = (await (await page.request.get(`${url}/api/sessions/${phone.id}/qr`)).json()) as { qr: string };
    const scan = await fetch(`${simulatorUrl}/phones/${number}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr }) });
    expect(scan.ok).toBe(true);
    await expect.poll(async () => (await (await page.request.get(`${url}/api/sessions/${phone.id}`)).json()).status).toBe('open');
    const faults = await page.request.post(`${url}/api/demo/faults`, { data: { phoneId: phone.id, type: 'bad-mac', count: 2 }, headers });
    expect(faults.status()).toBe(200);

    // Three failed attempts (WEBHOOK_MAX_ATTEMPTS=3 in e2e/support/global-setup.ts, about 1 s apart): the page shows it failed, with the error.
    // This phone's warning to its organization (other specs' rows share the table, and ERROR_WEBHOOK_URL gets its own copy).
    const row = page.getByTestId('deliveries-table').locator('tr', { hasText: 'session_error_warning' }).filter({ hasText: `+${number}` }).filter({ hasText: 'Hooks Org' }).first();
    // The seed's payload names the phone by id only: the page shows its number. Given up: no next try.
    await expect(row.getByTestId('delivery-phone')).toHaveText(`+${number}`);
    await expect(row.getByTestId('delivery-organization')).toContainText('Hooks Org');
    await expect(row.getByTestId('delivery-status')).toHaveText('failed');
    await expect(row.getByTestId('delivery-attempts')).toHaveText('3');
    await expect(row.getByTestId('delivery-next')).toHaveText('—');
    await expect(row).toContainText('HTTP 500');
    await row.getByRole('button', { name: 'session_error_warning' }).click();
    await expect(row.locator('pre')).toContainText('"currentCount": 2');

    fail = false;
    await row.getByTestId('delivery-send-again').click();
    await expect(page.getByTestId('toast-success')).toBeVisible();
    await expect(row.getByTestId('delivery-status')).toHaveText('delivered');
    // The attempts go on counting after "Send again" (no "4/6").
    await expect(row.getByTestId('delivery-attempts')).toHaveText('4');
    const ids = new Set(received.filter((r) => r.body.includes('session_error_warning')).map((r) => r.id));
    expect(ids.size).toBe(1); // every attempt and the resend carry one webhook-id
  } finally {
    server.close();
  }
});

test('webhooks page: a delivery waiting for its next try says when; POST /api/webhooks/test checks its input', async ({ page }) => {
  await logIn(page);
  const { url, databaseUrl } = e2eEnv();
  const headers = { origin: url };
  const db = createDb(databaseUrl);
  let deliveryId: number;
  try {
    const org = await db.organization.create({ data: { name: `Later ${crypto.randomBytes(3).toString('hex')}` } });
    // A delivery that failed once and is tried again in an hour (a receiver on loopback, never called).
    const row = await db.webhookOutbox.create({
      data: {
        messageId: `msg_e2e_${crypto.randomBytes(6).toString('hex')}`, event: 'session_closed', url: 'http://127.0.0.1:9/hook-later', organizationId: org.id,
        payload: JSON.stringify({ type: 'session_closed', phoneJid: '77071234567@s.whatsapp.net' }), status: 'pending', attempts: 1, maxAttempts: 3,
        nextAttemptAt: new Date(Date.now() + 3600_000), lastError: 'HTTP 503', lastStatusCode: 503,
      },
    });
    deliveryId = row.id;

    await page.goto(`${url}/webhooks`);
    const shown = page.getByTestId(`delivery-${deliveryId}`);
    await expect(shown.getByTestId('delivery-status')).toHaveText('pending');
    await expect(shown.getByTestId('delivery-next')).toHaveText(/^in \d+ (min|hr)\.?$/);
    await expect(shown.getByTestId('delivery-phone')).toHaveText('+77071234567');
    await expect(shown.getByTestId('delivery-organization')).toContainText(org.name);
    await expect(shown.getByTestId('delivery-attempts')).toHaveText('1');

    // The route: zod-validated body, 404 for an unknown organization, 409 when there is no endpoint.
    const bad = await page.request.post(`${url}/api/webhooks/test`, { data: { organizationId: 'one' }, headers });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).details).toBeDefined();
    expect((await page.request.post(`${url}/api/webhooks/test`, { data: { organizationId: 2_000_000_000 }, headers })).status()).toBe(404);
    const none = await page.request.post(`${url}/api/webhooks/test`, { data: { organizationId: org.id }, headers });
    expect(none.status()).toBe(409);
  } finally {
    await db.webhookOutbox.deleteMany({ where: { url: 'http://127.0.0.1:9/hook-later' } });
    await db.$disconnect();
  }
});

test('webhooks page: the error webhook (ERROR_WEBHOOK_URL) is shown masked and "Send test" reaches it signed', async ({ page }) => {
  const { url, errorWebhook } = e2eEnv();
  const receivedTests = async () => ((await (await fetch(errorWebhook.receivedUrl)).json()) as { url: string; headers: Record<string, string>; body: string }[])
    .filter((r) => r.body.includes('"webhook_test"'));
  const before = (await receivedTests()).length;
  await logIn(page);
  await page.goto(`${url}/webhooks`);
  const block = page.getByTestId('error-webhook');
  // Shown without its query string (the token stays out of the page), with whether it is signed.
  const shown = new URL(errorWebhook.url);
  await expect(block.getByTestId('error-webhook-url')).toHaveText(`${shown.origin}${shown.pathname}`);
  await expect(block).toContainText('signed (ERROR_WEBHOOK_SECRET)');
  expect(await page.content()).not.toContain(errorWebhook.token);

  await block.getByTestId('error-webhook-test').click();
  await expect(block.getByTestId('error-webhook-test-result')).toHaveText('Test delivered (HTTP 204)');
  await expect(block.getByTestId('error-webhook-test-result')).toHaveAttribute('data-status', 'delivered');
  const row = page.getByTestId('deliveries-table').locator('tr', { hasText: 'webhook_test' }).filter({ hasText: 'ERROR_WEBHOOK_URL' }).first();
  await expect(row.getByTestId('delivery-status')).toHaveText('delivered');

  // The receiver got it at the full URL (token included), signed with ERROR_WEBHOOK_SECRET (Standard Webhooks, checked here by hand).
  const got = (await receivedTests()).slice(before);
  expect(got).toHaveLength(1);
  const [delivery] = got;
  expect(delivery.url).toBe(`${shown.pathname}${shown.search}`);
  expect(JSON.parse(delivery.body)).toMatchObject({ type: 'webhook_test', organizationId: null });
  const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = delivery.headers;
  const expected = crypto.createHmac('sha256', Buffer.from(errorWebhook.secret, 'utf8')).update(`${id}.${timestamp}.${delivery.body}`).digest('base64');
  expect(signature).toBe(`v1,${expected}`);

  // In Russian: the block, the button and the outcome in the UI's language.
  await page.context().addCookies([{ name: 'lang', value: 'ru', url }]);
  await page.reload();
  await expect(block.getByRole('heading')).toHaveText('Вебхук ошибок (ERROR_WEBHOOK_URL)');
  await block.getByRole('button', { name: 'Отправить тест' }).click();
  await expect(block.getByTestId('error-webhook-test-result')).toHaveText('Тест доставлен (HTTP 204)');
  await expect.poll(async () => (await receivedTests()).length - before).toBe(2);
});
