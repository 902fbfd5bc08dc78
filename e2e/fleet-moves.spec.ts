// A phone moving between the nodes of a fleet, seen in the browser (issue 27.9), under E2E_FLEET=1
// only. The suite's consoles start with SESSIONS_AUTOSTART=false, so they neither claim a silent
// node's phones nor rebalance; this spec runs a fleet of its own: two nodes with autostart on a
// fresh PostgreSQL database and its own simulator. Four phones start on node B; B hands
// some to A by rebalancing, and after a reload (the words come from the server, not from a live
// close event) A's page reads "moved to node move_a (rebalancing)" for each of them: the handover
// stores its reason (Session.handOver). Then node B is paused (SIGSTOP: it stops renewing its
// lease, the process stays) and node A's page shows B's phones "owner lost — moving in N s" until
// A claims and runs them.
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { startConsole, type ConsoleServer } from '../test/support/console-server';
import { createTestDatabase, type TestDatabase } from '../test/support/databases';
import { startSimulator, type Simulator } from '../simulator';
import { e2eEnv, uniquePhone } from './support/env';

type Phone = { id: number; status: string; node: string | null; lastClose: { code: string; params: { from?: string } } | null };

test('phones B hands to A by rebalancing read "moved to node move_a"; a silent node\'s phones show "owner lost — moving in N s" on the other node\'s page, then run there', async ({ page }) => {
  test.skip(e2eEnv().nodes < 2, 'a fleet on PostgreSQL: npm run test:e2e:fleet');
  test.setTimeout(420_000);
  let simulator: Simulator | null = null;
  let database: TestDatabase | null = null;
  const nodes: ConsoleServer[] = [];
  let paused: number | null = null;
  try {
    simulator = await startSimulator({ port: 0 });
    database = await createTestDatabase('postgresql');
    const env = {
      SESSIONS_AUTOSTART: 'true', WA_WEBSOCKET_URL: simulator.url, SIMULATOR_URL: simulator.controlUrl,
      FLEET_BUS_KEY: crypto.randomBytes(32).toString('base64url'), NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
    };
    nodes.push(await startConsole({ database, env: { ...env, NODE_ID: 'move_a' } }));
    nodes.push(await startConsole({ database, env: { ...env, NODE_ID: 'move_b' } }));
    const [a, b] = nodes;
    // The first console made the admin; one sign-in secret, so the cookie works on both nodes.
    await page.goto(`${a.url}/login`);
    await page.getByTestId('login-email').fill(a.adminEmail);
    await page.getByTestId('login-password').fill(a.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    const phone = async (id: number) => (await (await page.request.get(`${a.url}/api/sessions/${id}`)).json()) as Phone;

    // Four phones started on node B and paired (a phone handed over while pairing shows a new QR: scanned again).
    const org = `Moves ${uniquePhone()}`;
    const phones: { id: number; number: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const number = uniquePhone();
      const res = await page.request.post(`${b.url}/api/sessions`, { data: { organizationName: org, phone: number }, headers: { origin: b.url } });
      expect(res.status()).toBe(201);
      phones.push({ id: ((await res.json()) as { id: number }).id, number });
    }
    // Node A's page watches the phones.
    await page.goto(`${a.url}/?q=${encodeURIComponent(org)}`);
    for (const { id } of phones) await expect(page.getByTestId(`status-${id}`)).toBeVisible();
    for (const { id, number } of phones) {
      await expect.poll(async () => {
        const p = await phone(id);
        if (p.status !== 'qr') return p.status;
        const qr = await page.request.get(`${a.url}/api/sessions/${id}/qr`);
        const code = qr.ok() ? ((await qr.json()) as { qr: string | null }).qr : null;
        if (code) await fetch(`${simulator!.controlUrl}/phones/${number}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr: code }) });
        return p.status;
      }, { timeout: 120_000 }).toBe('open');
    }

    // Node B runs more than its share: it hands phones to node A, one reconnect at a time.
    await expect.poll(async () => {
      let onA = 0;
      for (const { id } of phones) if ((await phone(id)).node === 'move_a') onA++;
      return onA;
    }, { timeout: 120_000 }).toBeGreaterThan(0);
    // The handed-over phones read so from the server: a reload, not the live close event.
    const movedToA: number[] = [];
    for (const { id } of phones) {
      const p = await phone(id);
      if (p.node === 'move_a') {
        expect(p.lastClose).toMatchObject({ code: 'rebalanced', params: { from: 'move_b' } });
        movedToA.push(id);
      }
    }
    await page.reload();
    for (const id of movedToA) await expect(page.getByTestId(`reason-${id}`)).toHaveText('moved to node move_a (rebalancing)');

    // Node B falls silent (paused: it stops renewing its lease). Node A's page shows each of B's
    // phones as lost with the seconds left of B's lease, never as connected; then A runs them.
    const onB: number[] = [];
    for (const { id } of phones) if ((await phone(id)).node === 'move_b') onB.push(id);
    expect(onB.length).toBeGreaterThan(0);
    paused = b.pid;
    process.kill(paused, 'SIGSTOP');
    const [lost] = onB;
    await expect(page.getByTestId(`status-${lost}`)).toHaveAttribute('data-status', 'owner_lost');
    await expect(page.getByTestId(`moving-${lost}`)).toHaveText(/^owner lost — moving in \d+ s$/);
    for (const id of onB) {
      await expect(page.getByTestId(`status-${id}`)).toHaveAttribute('data-status', 'open');
      await expect(page.getByTestId(`moving-${id}`)).toHaveCount(0);
      expect((await phone(id)).node).toBe('move_a');
    }
    // Every phone now runs on node A; none reads "server shutting down" (B never shut down).
    for (const { id } of phones) await expect(page.getByTestId(`reason-${id}`)).not.toContainText('shutting down');
  } finally {
    if (paused !== null) process.kill(paused, 'SIGCONT');
    for (const node of nodes.reverse()) await node.stop().catch(() => {});
    await simulator?.close();
    await database?.drop();
  }
});
