import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bands, decryptFailuresPerDay, drops, percentile, perDay, perHour, phoneHistory, timeInState, uptime, DAY_MS, type StoredInterval } from '../../../lib/health/history';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const min = 60_000;
const iv = (state: string, prev: string | null, startMin: number, endMin: number | null, extra: Partial<StoredInterval> = {}): StoredInterval => ({
  state,
  prev,
  reason: null,
  code: null,
  startedAt: new Date(T0 + startMin * min),
  endedAt: endMin === null ? null : new Date(T0 + endMin * min),
  ...extra,
});

// 0–10 connecting (pairing), 10–100 open, 100–105 connecting (drop 428), 105–200 open,
// 200–260 stopped (operator), 260–270 connecting, 270–300 open, 300– closed (drop, given up).
const history = [
  iv('connecting', null, 0, 10),
  iv('open', 'connecting', 10, 100),
  iv('connecting', 'open', 100, 105, { code: 428, reason: 'Connection Closed' }),
  iv('open', 'connecting', 105, 200),
  iv('stopped', 'open', 200, 260, { reason: 'Manual close' }),
  iv('connecting', 'stopped', 260, 270),
  iv('open', 'connecting', 270, 300),
  iv('closed', 'open', 300, null, { code: 401, reason: 'Logged out' }),
];
const now = T0 + 400 * min;

test('time in each state, clipped to the window; the current interval ends now', () => {
  assert.deepEqual(timeInState(history, T0, now, now), { open: 215 * min, connecting: 25 * min, closed: 100 * min, stopped: 60 * min });
  assert.deepEqual(timeInState(history, T0 + 50 * min, T0 + 102 * min, now), { open: 50 * min, connecting: 2 * min, closed: 0, stopped: 0 });
});

test('uptime: open over time meant to run; stopped time counts for neither; null when never meant to run', () => {
  assert.equal(uptime(history, T0, now, now), 215 / (215 + 25 + 100));
  assert.equal(uptime(history, T0 + 200 * min, T0 + 260 * min, now), null);
  assert.equal(uptime(history, T0 + 110 * min, T0 + 190 * min, now), 1);
  assert.equal(uptime([], T0, now, now), null);
});

test('drops: only the ends of open stretches nobody asked for, with the time to reconnect', () => {
  const d = drops(history, T0, now);
  assert.deepEqual(d.map((x) => [x.state, x.code, x.reconnectMs]), [['connecting', 428, 5 * min], ['closed', 401, null]]);
  assert.equal(drops(history, T0 + 101 * min, now).length, 1, 'a drop counts in the window it began in');
});

test('bands follow the intervals, clipped', () => {
  const b = bands(history, T0 + 95 * min, T0 + 110 * min, now);
  assert.deepEqual(b.map((x) => x.state), ['open', 'connecting', 'open']);
  assert.equal(b[0].from, new Date(T0 + 95 * min).toISOString());
  assert.equal(b[2].to, new Date(T0 + 110 * min).toISOString());
});

test('per day and per hour: every bucket present, counts in the right one', () => {
  const days = perDay([T0 + 1000, T0 + DAY_MS + 5, T0 + DAY_MS + 6], T0, T0 + 2 * DAY_MS);
  assert.deepEqual(days, [{ day: '2026-12-01', count: 1 }, { day: '2026-12-02', count: 2 }, { day: '2026-12-03', count: 0 }]);
  const hours = perHour([T0 + 30 * min, T0 + 90 * min, T0 + 95 * min], T0, T0 + 2 * 3600_000);
  assert.deepEqual(hours.map((h) => h.count), [1, 2, 0]);
});

test('percentiles by nearest rank', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([5], 95), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
});

test('decryption failures per day by cause, from the stored decrypt:* events only', () => {
  const out = decryptFailuresPerDay(
    [
      { type: 'decrypt:bad-mac', at: new Date(T0 + 5) },
      { type: 'decrypt:bad-mac', at: new Date(T0 + 6) },
      { type: 'decrypt:no-session', at: new Date(T0 + DAY_MS) },
      { type: 'state:open', at: new Date(T0 + 7) },
    ],
    T0,
    T0 + DAY_MS,
  );
  assert.deepEqual(out, [{ day: '2026-12-01', byKind: { 'bad-mac': 2 } }, { day: '2026-12-02', byKind: { 'no-session': 1 } }]);
});

test('phoneHistory puts it together: uptime windows end now, last closes newest first', () => {
  const h = phoneHistory(7, history, [], T0, now, now);
  assert.equal(h.drops, 2);
  assert.deepEqual(h.lastCloses.map((c) => c.code), [401, 428]);
  assert.deepEqual(h.reconnect, { count: 1, p50Ms: 5 * min, p95Ms: 5 * min });
  assert.equal(h.uptime['24h'], 215 / 340);
  assert.equal(h.uptime['30d'], h.uptime['7d']);
});
