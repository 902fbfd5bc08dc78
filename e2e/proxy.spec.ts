// A proxy per phone in the browser: the proxy field when adding a phone, the proxy host in the
// row, the settings panel (masked URL, restart confirmation, wrong password shown as the reason,
// clearing it), and the password never on the page.
import { test, expect } from '@playwright/test';
import { addAndPairPhone, e2eEnv, logIn } from './support/env';
import { startHttpProxy, type TestProxy } from '../test/support/proxies';

const PASSWORD = 'e2e-Pr0xy-pw';
let proxy: TestProxy;

test.beforeAll(async () => {
  proxy = await startHttpProxy({ username: 'carol', password: PASSWORD });
});
test.afterAll(async () => {
  await proxy.stop();
});

test('add a phone through a proxy, change the proxy with confirmation, clear it', async ({ page }) => {
  await logIn(page);
  const { id } = await addAndPairPhone(page, { org: 'E2E Proxy', proxy: proxy.url });
  expect(proxy.tunnels).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId(`proxy-${id}`)).toHaveText(`via 127.0.0.1:${proxy.port}`);

  await page.goto(`${e2eEnv().url}/sessions/${id}`);
  await expect(page.getByTestId('detail-proxy')).toHaveText(`http://carol:****@127.0.0.1:${proxy.port}`);
  await expect(page.getByTestId('settings-proxy')).toHaveValue('');

  // A wrong password: confirmation first (cancel keeps everything), then the reason shows.
  await page.getByTestId('settings-proxy').fill(proxy.url.replace(PASSWORD, 'wrong'));
  await page.getByTestId('settings-save').click();
  await expect(page.getByRole('dialog')).toContainText('socket is closed and opened again');
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'open');
  await page.getByTestId('settings-save').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Settings saved' })).toBeVisible();
  await expect(page.getByTestId('detail-reason')).toHaveText('proxy authentication failed');
  await expect(page.getByTestId('settings-proxy')).toHaveValue('');

  // Clear it: the phone connects directly again.
  await page.getByTestId('settings-proxy-clear').check();
  await page.getByTestId('settings-save').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('detail-proxy')).toHaveText('direct (no proxy)');
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'open');

  // A label alone is saved without asking.
  await page.getByTestId('settings-label').fill('Front desk');
  await page.getByTestId('settings-save').click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Settings saved' }).first()).toBeVisible();
  expect(await page.content()).not.toContain(PASSWORD);
});
