// The fleet in sight (issue 27.9): the Nodes page lists the node the browser talks to with the
// phones it runs; the sessions table and the phone page name the node that runs each phone.
// Also 27.18: an injected demo fault is in the audit log with its actor, phone and kind.
// Under E2E_FLEET=1 the page lists both nodes, and a phone started through node B is shown on B.
import { test, expect, type Page } from '@playwright/test';
import { e2eEnv, logIn, uniquePhone } from './support/env';

type NodesBody = { nodes: { id: string; self: boolean; phones: number; capacity: number; state: string }[]; leaseTtlMs: number };

/** An API call with the page's sign-in, to `base` (the page's console unless said). */
async function api<T>(page: Page, method: 'GET' | 'POST', path: string, data?: unknown, base = e2eEnv().url): Promise<{ status: number; body: T }> {
  const res = await page.request.fetch(`${base}${path}`, { method, ...(method === 'POST' ? { data: data ?? {}, headers: { origin: base } } : {}) });
  return { status: res.status(), body: (await res.json()) as T };
}

/** A new phone, started (it runs, pairing: state `qr`) through `base`; its id and number. */
async function startedPhone(page: Page, base = e2eEnv().url): Promise<{ id: number; number: string }> {
  const number = uniquePhone();
  const added = await api<{ id: number }>(page, 'POST', '/api/sessions', { organizationName: 'Nodes', phone: number }, base);
  expect(added.status).toBe(201);
  await expect.poll(async () => (await api<{ status: string }>(page, 'GET', `/api/sessions/${added.body.id}`)).body.status).toBe('qr');
  return { id: added.body.id, number };
}

test('the Nodes page lists the node with the phones it runs', async ({ page }) => {
  await logIn(page);
  await startedPhone(page);
  const { body } = await api<NodesBody>(page, 'GET', '/api/nodes');
  expect(body.nodes).toHaveLength(e2eEnv().nodes);
  const self = body.nodes.find((n) => n.self)!;
  expect(self.phones).toBeGreaterThanOrEqual(1);

  await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).click();
  await expect(page).toHaveURL(/\/nodes$/);
  await expect(page.getByRole('heading', { name: 'Nodes' })).toBeVisible();
  const row = page.getByTestId(`node-row-${self.id}`);
  await expect(row).toContainText(self.id);
  await expect(row).toContainText('this node');
  await expect(page.getByTestId(`node-state-${self.id}`)).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId(`node-capacity-${self.id}`)).toHaveText(self.capacity.toLocaleString('en-US'));
  // The page follows the fleet: its count is the API's, read again every 2 s (phones of other tests come and go).
  await expect.poll(async () => {
    const shown = Number((await page.getByTestId(`node-phones-${self.id}`).textContent())?.replace(/\D/g, ''));
    const now = (await api<NodesBody>(page, 'GET', '/api/nodes')).body.nodes.find((n) => n.id === self.id)!.phones;
    return shown === now && shown >= 1;
  }).toBe(true);
  await expect(page.locator('[data-testid^="node-row-"]')).toHaveCount(e2eEnv().nodes);
});

test('the sessions table and the phone page name the node that runs the phone', async ({ page }) => {
  await logIn(page);
  // Under E2E_FLEET=1 started through node B: it runs there, and node A's page says so.
  const { id, number } = await startedPhone(page, e2eEnv().otherUrl);
  const nodes = (await api<NodesBody>(page, 'GET', '/api/nodes')).body.nodes;
  const expected = e2eEnv().nodes > 1 ? nodes.find((n) => !n.self)!.id : nodes.find((n) => n.self)!.id;
  expect((await api<{ node: string | null }>(page, 'GET', `/api/sessions/${id}`)).body.node).toBe(expected);

  await page.goto(`${e2eEnv().url}/?q=${number}`);
  const row = page.getByTestId(`session-row-${number}`);
  await expect(row).toBeVisible();
  await expect(page.getByTestId(`node-${id}`)).toHaveText(expected);
  await expect(page.getByRole('columnheader', { name: 'Node' })).toBeVisible();

  // The phone's card on a phone screen carries the label with the value.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-label', 'Node');
  await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.goto(`${e2eEnv().url}/sessions/${id}`);
  await expect(page.getByTestId('detail-node')).toHaveText(expected);
  // A closed phone runs nowhere.
  expect((await api(page, 'POST', `/api/sessions/${id}/close`, {})).status).toBe(200);
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-status', 'closed');
  await expect(page.getByTestId('detail-node')).toHaveText('—');
});

test('an injected demo fault is audited with its actor, phone and kind', async ({ page }) => {
  test.skip(!e2eEnv().simulatorUrl, 'demo faults need the simulator');
  await logIn(page);
  const number = uniquePhone();
  const added = await api<{ id: number }>(page, 'POST', '/api/sessions', { organizationName: 'Faults', phone: number, start: false });
  // Not paired at the simulator: refused there (409), and audited as a failed injection all the same.
  const injected = await api(page, 'POST', '/api/demo/faults', { phoneId: added.body.id, type: 'bad-mac', count: 2 });
  expect(injected.status).toBe(409);
  await page.goto(`${e2eEnv().url}/audit?action=demo.fault&phone=${number}`);
  const entry = page.getByTestId('audit-row').first();
  await expect(entry.getByTestId('audit-action')).toContainText('Demo fault injected');
  await expect(entry.getByTestId('audit-action-detail')).toHaveText('Fault: bad-mac × 2');
  await expect(entry.getByTestId('audit-target')).toContainText(number);
  await expect(entry).toContainText(e2eEnv().adminEmail);
  // In Russian, worded too.
  await page.context().addCookies([{ name: 'lang', value: 'ru', url: e2eEnv().url }]);
  await page.reload();
  await expect(page.getByTestId('audit-row').first().getByTestId('audit-action-detail')).toHaveText('Сбой: bad-mac × 2');
});
