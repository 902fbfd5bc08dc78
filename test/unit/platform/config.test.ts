import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../../lib/config';

test('defaults give the embedded SQLite database and the seed limits', () => {
  const c = parseConfig({});
  assert.equal(c.DATABASE_URL, 'file:./data/console.db');
  assert.equal(c.MAX_BAD_MAC_ERRORS, 3);
  assert.equal(c.MAX_BAD_DECRYPT_ERRORS, 5);
  assert.equal(c.HEALTH_CHECK_INTERVAL_MS, 300_000);
  assert.equal(c.PORT, 3000);
});

test('a bad value fails with a message naming the variable', () => {
  assert.throws(() => parseConfig({ DATABASE_URL: 'mysql://x' }), (err: Error) => err instanceof ConfigError && /DATABASE_URL/.test(err.message));
  assert.throws(() => parseConfig({ PORT: 'eighty' }), /PORT/);
  assert.throws(() => parseConfig({ ERROR_WEBHOOK_URL: 'not a url' }), /ERROR_WEBHOOK_URL/);
  assert.throws(() => parseConfig({ MAX_BAD_MAC_ERRORS: '0' }), /MAX_BAD_MAC_ERRORS/);
});

test('empty strings count as unset', () => {
  assert.equal(parseConfig({ ERROR_WEBHOOK_URL: '' }).ERROR_WEBHOOK_URL, undefined);
});
