// Issue 21.9: the sessions list, its filters and the summary with 2,000 live phones on SQLite.
// The live set comes from the session manager's registry (a stand-in holding 2,000 snapshots:
// the query reads only snapshot()/snapshots()/isActive()/getSessionErrorStats()). Before the fix
// the status/health filters and the summary sent `id NOT IN (<every live phone>)`, past SQLite's
// bound-parameter limit: every call below threw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../support/databases';
import { setDb } from '../../../lib/db/client';
import { resetConfig } from '../../../lib/config';
import { setSessionManager, type SessionManager } from '../../../lib/sessions/manager';
import { querySessionsAll, querySessionsPage, sessionSummary } from '../../../lib/phones/query';
import { sessionListQuerySchema } from '../../../lib/api/list-schemas';
import type { SessionSnapshot } from '../../../lib/sessions/types';

const LIVE = 2_000;
const STORED_ONLY = 300;

test('sqlite: list filters and summary with 2,000 live phones', async (t) => {
  const database = await createTestDatabase('sqlite');
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = database.url;
  resetConfig();
  await setDb(database.db);
  t.after(async () => {
    setSessionManager(undefined);
    await setDb(undefined);
    process.env.DATABASE_URL = saved;
    resetConfig();
    await database.drop();
  });
  const db = database.db;
  const org = await db.organization.create({ data: { name: 'Scale' } });
  const rows = Array.from({ length: LIVE + STORED_ONLY }, (_, i) => ({
    organizationId: org.id,
    phoneJid: `7705${String(1_000_000 + i)}@s.whatsapp.net`,
    // the live ones are stored open (as bench/density-worker.ts marks them), the rest closed
    status: i < LIVE ? 'open' : 'closed',
  }));
  for (let i = 0; i < rows.length; i += 500) await db.organizationPhone.createMany({ data: rows.slice(i, i + 500) });
  const phones = await db.organizationPhone.findMany({ orderBy: { id: 'asc' }, select: { id: true, phoneJid: true, status: true } });
  const live = new Map<number, SessionSnapshot>();
  for (const p of phones.filter((p) => p.status === 'open')) {
    // every tenth live phone is connecting, the rest open
    const connecting = live.size % 10 === 0;
    live.set(p.id, {
      phoneId: p.id,
      organizationId: org.id,
      phoneJid: p.phoneJid,
      state: connecting ? 'connecting' : 'open',
      isConnected: !connecting,
      health: connecting ? 'closed' : 'healthy',
      healthReason: connecting ? 'not-running' : null,
      stats: { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true },
      accountSignals: { reachout: null, capping: null },
      qr: null,
      pairingCode: null,
      lastConnectedAt: null,
      lastCloseReason: null,
      lastClose: null,
      proxyHost: null, engine: 'baileys-6', lid: null, waVersion: null,
    });
  }
  assert.equal(live.size, LIVE);
  const manager = {
    snapshots: () => [...live.values()],
    snapshot: (id: number) => live.get(id) ?? null,
    isActive: (id: number) => live.has(id),
    getSessionErrorStats: () => ({ badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true }),
    // a node of its own (no fleet): no owner node to name, no silent owner's lease
    ownerNode: () => null,
    ownerLeaseEnd: () => null,
  };
  setSessionManager(manager as unknown as SessionManager);
  const q = (query: Record<string, string>) => sessionListQuerySchema.parse(query);

  const summary = await sessionSummary();
  assert.equal(summary.total, LIVE + STORED_ONLY);
  assert.equal(summary.byStatus.open, 1_800);
  assert.equal(summary.byStatus.connecting, 200);
  assert.equal(summary.byStatus.closed, STORED_ONLY);
  assert.equal(summary.byHealth.healthy, 1_800);
  assert.equal(summary.byHealth.closed, 200 + STORED_ONLY);

  const open = await querySessionsPage(q({ status: 'open', limit: '50', page: '3' }));
  assert.equal(open.total, 1_800);
  assert.equal(open.items.length, 50);
  assert.ok(open.items.every((s) => s.status === 'open'));
  // sorted by id, page 3 starts after the first 100 open phones
  const openIds = [...live.values()].filter((s) => s.state === 'open').map((s) => s.phoneId);
  assert.deepEqual(open.items.map((s) => s.id), openIds.slice(100, 150));

  const closed = await querySessionsPage(q({ status: 'closed', limit: '200' }));
  assert.equal(closed.total, STORED_ONLY);
  assert.ok(closed.items.every((s) => s.status === 'closed'));

  const idle = await querySessionsPage(q({ status: 'idle', limit: '10' }));
  assert.equal(idle.total, 0);

  const closedHealth = await querySessionsPage(q({ health: 'closed', sort: '-id', limit: '200' }));
  assert.equal(closedHealth.total, 200 + STORED_ONLY);
  assert.equal(closedHealth.items[0].id, phones[phones.length - 1].id);

  const all = await querySessionsAll(q({ status: 'connecting' }));
  assert.equal(all.length, 200);
  assert.ok(all.every((s) => s.status === 'connecting'));
});
