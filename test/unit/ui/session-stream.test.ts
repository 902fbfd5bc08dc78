// The stream's cache patching: each event changes only its own session in the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryClient } from '@tanstack/react-query';
import { applyEvents, patchSession } from '../../../components/sessions/useSessionStream';
import { queryKeys } from '../../../lib/ui/query-keys';
import type { SessionPage, SessionSummary } from '../../../lib/api/list-schemas';
import type { SessionDto } from '../../../lib/api/session-schemas';

const base: SessionDto = {
  id: 7,
  organizationId: 1,
  organizationName: 'Org',
  phoneJid: '77051234567@s.whatsapp.net',
  label: null,
  status: 'open',
  lastConnectedAt: null,
  stats: { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true },
  isActive: true,
  health: 'healthy',
  lastCloseReason: null,
} as SessionDto;

test('stream events patch only their own session: stats, state with reason', () => {
  const stats = { badMacErrors: 2, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true };
  const at = new Date().toISOString();
  const s1 = patchSession(base, { type: 'stats', phoneId: 7, phoneJid: base.phoneJid, stats, health: 'critical', healthReason: 'decrypt-errors', at });
  assert.equal(s1.stats.badMacErrors, 2);
  assert.equal(s1.health, 'critical');
  assert.equal(patchSession(base, { type: 'stats', phoneId: 8, phoneJid: 'x', stats, health: 'critical', healthReason: 'decrypt-errors', at }), base);
  const s2 = patchSession(s1, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'closed', previous: 'open', reason: 'Bad MAC limit reached (3/3)', at });
  assert.equal(s2.status, 'closed');
  assert.equal(s2.health, 'closed');
  assert.equal(s2.isActive, false);
  assert.equal(s2.lastCloseReason, 'Bad MAC limit reached (3/3)');
  const s3 = patchSession(s2, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'open', previous: 'connecting', at });
  assert.equal(s3.status, 'open');
  assert.equal(s3.lastConnectedAt, at);
});

test('the live view keeps the owner node and the countdown of a silent owner (issue 27.9)', () => {
  const at = new Date().toISOString();
  const withNode = { ...base, node: 'na', ownerLeaseEndsAt: null } as SessionDto;
  const lost = patchSession(withNode, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'owner_lost', previous: 'open', at, node: 'na', leaseEndsAt: '2026-12-06T03:00:07.000Z' });
  assert.equal(lost.status, 'owner_lost');
  assert.equal(lost.ownerLeaseEndsAt, '2026-12-06T03:00:07.000Z');
  const moved = patchSession(lost, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'connecting', previous: 'owner_lost', at, node: 'nb' });
  assert.deepEqual([moved.node, moved.ownerLeaseEndsAt], ['nb', null], 'the new owner, and no countdown once it left owner_lost');
  const noNode = patchSession(moved, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'open', previous: 'connecting', at });
  assert.equal(noNode.node, 'nb', 'an event without a node keeps the one known');
});

test('a closed phone runs on no node; a rebalanced one is shown on its new node', () => {
  const at = new Date().toISOString();
  const running = { ...base, node: 'nb', ownerLeaseEndsAt: null } as SessionDto;
  const closed = patchSession(running, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'closed', previous: 'open', at, node: 'nb', closeReason: { code: 'rebalanced', params: { from: 'nb' } } });
  assert.equal(closed.node, null);
  assert.equal(closed.lastClose?.code, 'rebalanced');
  const elsewhere = patchSession(closed, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'connecting', previous: 'closed', at, node: 'nc' });
  assert.equal(elsewhere.node, 'nc');
  assert.equal(elsewhere.lastClose?.code, 'rebalanced', 'the reason stays: the row reads "moved to node nc"');
});

test('a close that bans or restricts the phone leaves it critical with that reason; a later open clears it', () => {
  const at = new Date().toISOString();
  const banned = patchSession(base, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'closed', previous: 'open', closeReason: { code: 'banned', params: { status: 402, detail: 'Stream Errored' } }, at });
  assert.deepEqual([banned.status, banned.health, banned.healthReason, banned.lastClose?.code], ['closed', 'critical', 'banned', 'banned']);
  // An operator starts it again: still critical while it connects, as the server says.
  const connecting = patchSession(banned, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'connecting', previous: 'closed', at });
  assert.deepEqual([connecting.health, connecting.healthReason], ['critical', 'banned']);
  const restricted = patchSession(base, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'closed', previous: 'open', closeReason: { code: 'restricted', params: { status: 463, detail: 'x' } }, at });
  assert.deepEqual([restricted.health, restricted.healthReason], ['critical', 'restricted']);
  const lost = patchSession(base, { type: 'state', phoneId: 7, phoneJid: base.phoneJid, state: 'closed', previous: 'open', closeReason: { code: 'connection_lost', params: { status: 428, detail: 'x' } }, at });
  assert.deepEqual([lost.health, lost.healthReason], ['closed', 'not-running']);
});

test('a burst of events is applied in one pass: in order, to the pages and tiles that hold the phone only', () => {
  const client = new QueryClient();
  const at = new Date().toISOString();
  const other = { ...base, id: 8, phoneJid: '77059999999@s.whatsapp.net' };
  const page1 = { items: [base], total: 2, page: 1, pageCount: 2 } as unknown as SessionPage;
  const page2 = { items: [other], total: 2, page: 2, pageCount: 2 } as unknown as SessionPage;
  client.setQueryData(queryKeys.sessionPage('page=1'), page1);
  client.setQueryData(queryKeys.sessionPage('page=2'), page2);
  client.setQueryData(queryKeys.session(7), base);
  client.setQueryData(queryKeys.summary(''), { total: 2, byStatus: { open: 2 }, byHealth: {} } as unknown as SessionSummary);
  const phone = { phoneId: 7, phoneJid: base.phoneJid, at };
  applyEvents(client, [
    { ...phone, type: 'state', state: 'closing', previous: 'open' },
    { ...phone, type: 'state', state: 'closed', previous: 'closing', reason: 'restart' },
    { ...phone, type: 'state', state: 'connecting', previous: 'closed' },
  ]);
  assert.equal(client.getQueryData<SessionPage>(queryKeys.sessionPage('page=1'))!.items[0].status, 'connecting', 'the last event of the burst wins');
  assert.equal(client.getQueryData<SessionPage>(queryKeys.sessionPage('page=2')), page2, 'a page without the phone is the same object');
  assert.equal(client.getQueryData<SessionDto>(queryKeys.session(7))!.status, 'connecting');
  assert.equal(client.getQueryData<SessionDto>(queryKeys.session(7))!.lastCloseReason, 'restart');
  const tiles = client.getQueryData<SessionSummary>(queryKeys.summary(''))!;
  assert.deepEqual([tiles.byStatus.open, tiles.byStatus.closing, tiles.byStatus.closed, tiles.byStatus.connecting], [1, 0, 0, 1]);
});
