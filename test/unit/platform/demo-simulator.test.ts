// Issue 27.11: demo mode (the simulated-pairing buttons and routes, the fault panel) is on only
// for a SIMULATOR_URL on this machine; anything else is production mode and the routes answer 404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSimulatorUrl, requireDemoSimulator } from '../../../lib/demo-simulator';
import { NotFoundError } from '../../../lib/errors';
import { DEMO_FAULT_TYPES } from '../../../lib/demo-fault-types';
import { FAULT_TYPES as SIMULATOR_FAULT_TYPES } from '../../../simulator/types';

test('demo mode is on only for a loopback http:// SIMULATOR_URL', () => {
  for (const url of ['http://127.0.0.1:3001', 'http://localhost:3001/', 'http://[::1]:3001', 'http://127.8.9.10:1']) assert.ok(demoSimulatorUrl(url), url);
  assert.equal(demoSimulatorUrl('http://127.0.0.1:3001/'), 'http://127.0.0.1:3001');
  for (const url of [undefined, '', 'https://127.0.0.1:3001', 'http://10.0.0.5:3001', 'http://sim.example.com', 'http://127.0.0.1.evil.com/', 'ws://127.0.0.1:3001']) {
    assert.equal(demoSimulatorUrl(url), null, String(url));
  }
});

test('without demo mode the demo routes answer 404, saying why', () => {
  assert.throws(() => requireDemoSimulator(undefined), (err) => err instanceof NotFoundError && /not set/.test(err.message));
  assert.throws(() => requireDemoSimulator('http://10.0.0.5:3001'), (err) => err instanceof NotFoundError && /loopback/.test(err.message));
  assert.equal(requireDemoSimulator('http://127.0.0.1:3001'), 'http://127.0.0.1:3001');
});

test('every fault the console offers in demo mode is one the simulator takes, the decryption causes of issue 25 included', () => {
  for (const type of DEMO_FAULT_TYPES) assert.ok((SIMULATOR_FAULT_TYPES as readonly string[]).includes(type), type);
  for (const type of ['invalid-prekey', 'duplicate', 'pn-lid-mismatch']) assert.ok((DEMO_FAULT_TYPES as readonly string[]).includes(type), type);
});
