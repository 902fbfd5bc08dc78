// Per-phone gauges come from the phone's owner only: a node that shows another node's phone in its
// live view does not export it, so summing a fleet's scrapes counts each phone once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../support/databases';
import { testLogger, testSettings } from '../../support/engine';
import { bareSnapshot } from '../../support/fleet-bus-node';
import { SessionManager } from '../../../lib/sessions/manager';
import { joinFleet } from '../../../lib/fleet/join';
import { LoopbackBus } from '../../../lib/fleet/bus';
import { getMetrics } from '../../../lib/metrics';

test('metrics: a phone another node runs is in the live view but not in this node\'s per-phone gauges', async () => {
  const t = await createTestDatabase('sqlite');
  try {
    const manager = new SessionManager(t.db, testSettings('ws://127.0.0.1:9'), testLogger());
    const fleet = joinFleet(
      manager,
      t.db,
      { nodeId: 'here', leaseTtlMs: 10_000, renewIntervalMs: 2000, fenceMarginMs: 3000, capacity: 10, startConcurrency: 1, startPerSecond: 1, commandTimeoutMs: 1000, busKeyConfigured: true },
      new LoopbackBus(),
      testLogger(),
    );
    fleet.remote.apply('elsewhere', bareSnapshot(4242), 1);
    assert.equal(manager.snapshot(4242)?.isConnected, true, 'the live view shows the remote phone');
    const text = await getMetrics(manager).registry.metrics();
    assert.ok(!text.includes('phone_id="4242"'), 'no per-phone series for a phone this node does not run');
    assert.match(text, /wa_fleet_bus_dropped_total\{reason="bad_mac"\} 0/, 'the bus drop counter exists from the start');
  } finally {
    await t.drop();
  }
});
