import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyFigures, noTraffic, percentile } from '../../../lib/messages/traffic';

test('ack latency: nearest-rank p50 and p99, in any order; none without samples', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
  assert.deepEqual(latencyFigures(hundred), { p50: 50, p99: 99, count: 100 });
  assert.deepEqual(latencyFigures([5000, 10]), { p50: 10, p99: 5000, count: 2 });
  assert.equal(latencyFigures([]), null);
  assert.deepEqual(noTraffic(), { inPerMinute: 0, outPerMinute: 0, failuresByCode: {}, ackLatencyMs: null, lastReceivedAt: null });
});
