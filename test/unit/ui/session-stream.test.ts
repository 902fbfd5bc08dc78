// The stream's cache patching: each event changes only its own session in the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchSession } from '../../../components/sessions/useSessionStream';
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
