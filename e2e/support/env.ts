import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

export interface E2eEnv {
  /** the console the browser uses (node A of a fleet under E2E_FLEET=1) */
  url: string;
  /** where specs send API calls that should run elsewhere: node B of the fleet, else `url` */
  otherUrl: string;
  /** 1, or 2 under E2E_FLEET=1 */
  nodes: number;
  provider: 'sqlite' | 'postgresql';
  adminEmail: string;
  adminPassword: string;
  databaseUrl: string;
  simulatorUrl: string | null;
  /** ERROR_WEBHOOK_URL's receiver (global-setup.ts): its URL (with a query token), what it got (GET receivedUrl), the signing secret */
  errorWebhook: { url: string; token: string; receivedUrl: string; secret: string };
}

export function e2eEnv(): E2eEnv {
  return JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../test-results/e2e-env.json'), 'utf8'));
}

export async function logIn(page: Page, email = e2eEnv().adminEmail, password = e2eEnv().adminPassword) {
  await page.goto(`${e2eEnv().url}/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/**
 * A phone number no other test (nor a retry of this one) uses: all specs share one console and
 * its database, so a fixed number would meet its own earlier row (409) on a retry.
 */
export function uniquePhone(): string {
  return `7705${crypto.randomInt(1_000_000, 10_000_000)}`;
}

/** A call to the test simulator's control API (scan a QR, inject a fault, a contact's settings…); its JSON answer. */
export function simulatorCall(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) {
  const init = body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  return fetch(`${e2eEnv().simulatorUrl}${path}`, init).then(async (r) => {
    if (!r.ok) throw new Error(`simulator ${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  });
}

/** POST to the test simulator's control API; its JSON answer. */
export function simulatorPost(path: string, body: unknown) {
  return simulatorCall('POST', path, body);
}

/**
 * Adds a phone from the sessions page and pairs it through the simulator: opens the form, scans
 * the QR the page shows, waits for the row to be open. Returns the number and the phone's id.
 * `engine`: chosen in the form; omitted, the form's preselected one (DEFAULT_ENGINE) is sent.
 */
export async function addAndPairPhone(page: Page, options: { org: string; number?: string; proxy?: string; engine?: 'baileys-6' | 'baileys-7' }) {
  const number = options.number ?? uniquePhone();
  await page.getByTestId('add-phone-toggle').click();
  await page.getByTestId('add-org').fill(options.org);
  await page.getByTestId('add-phone').fill(number);
  if (options.proxy) await page.getByTestId('add-proxy').fill(options.proxy);
  if (options.engine) await page.getByTestId('add-engine').selectOption(options.engine);
  await page.getByTestId('add-submit').click();
  const qr = page.getByTestId('pairing-qr');
  await expect(qr).toBeVisible();
  await simulatorPost(`/phones/${number}/scan`, { qr: await qr.getAttribute('data-qr') });
  const row = page.getByTestId(`session-row-${number}`);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'open');
  const id = (await row.locator('[data-testid^="status-"]').getAttribute('data-testid'))!.replace('status-', '');
  return { number, id };
}
