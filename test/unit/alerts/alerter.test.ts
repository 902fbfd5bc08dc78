// The alerter honours what an operator does while a batch waits: an incident acknowledged, or a
// phone muted, before its alert went out sends nothing; the others go out. The store and the
// channel are in-memory stand-ins (the database-backed path: test/integration/alerts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Alerter } from '../../../lib/alerts/alerter';
import type { AlertChannel } from '../../../lib/alerts/channels';
import type { AlertMessage } from '../../../lib/alerts/policy';
import type { IncidentRow, IncidentStore } from '../../../lib/alerts/store';
import { eventually } from '../../support/eventually';
import { testLogger } from '../../support/engine';

test('an incident acknowledged or a phone muted while the batch waits is not announced', async () => {
  const rows: IncidentRow[] = [];
  const mutedPhones = new Set<number>();
  const acked = new Set<number>();
  let muteChecks = 0;
  const store = {
    async open(spec: { key: string; kind: string; phoneId: number | null; phoneJid: string | null; organizationId: number | null; nodeId: string | null; reason: string; atMs: number }) {
      const row: IncidentRow = { id: rows.length + 1, openKey: spec.key, key: spec.key, kind: spec.kind, phoneId: spec.phoneId, phoneJid: spec.phoneJid, organizationId: spec.organizationId, nodeId: spec.nodeId, reason: spec.reason, openedAt: new Date(spec.atMs), notifiedAt: null, resolvedAt: null, resolvedNotifiedAt: null, acknowledgedAt: null, acknowledgedBy: null };
      rows.push(row);
      return row;
    },
    async muted(ids: number[]) {
      muteChecks++;
      return new Set(ids.filter((id) => mutedPhones.has(id)));
    },
    async acknowledged(ids: number[]) {
      return new Set(ids.filter((id) => acked.has(id)));
    },
    async markNotified() {},
    async markResolvedNotified() {},
  } as unknown as IncidentStore;
  const sent: AlertMessage[] = [];
  const channel: AlertChannel = { name: 'email', send: async (audience, message) => (audience.scope === 'global' ? (sent.push(message), true) : false) };
  const alerter = new Alerter({ store, channels: [channel], settings: { criticalAfterMs: 60_000, digestThreshold: 5, batchMs: 60_000 }, log: testLogger(), organizationOf: () => null });
  const at = new Date().toISOString();
  for (const phoneId of [1, 2, 3]) {
    alerter.onEngineEvent({ type: 'state', phoneId, phoneJid: `7705000000${phoneId}@s.whatsapp.net`, state: 'logged_out', previous: 'open', reason: 'Logged out by WhatsApp (401)', closeReason: { code: 'logged_out', params: { status: 401 } }, at });
  }
  // Each incident is recorded and was not muted when it opened: all three wait in the batch.
  await eventually('three incidents checked for a mute', () => muteChecks === 3, 5_000, 5);
  acked.add(1);
  mutedPhones.add(2);
  await alerter.idle();
  alerter.stop();
  assert.equal(rows.length, 3);
  assert.deepEqual(sent.map((m) => (m.kind === 'single' ? m.notice.incident.phoneId : m.kind)), [3], 'only the phone nobody acted on alerts');
});
