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

test('engines: DEFAULT_ENGINE is baileys-6 unless set; WA_VERSION is three numbers or unset', () => {
  assert.equal(parseConfig({}).DEFAULT_ENGINE, 'baileys-6');
  assert.equal(parseConfig({ DEFAULT_ENGINE: 'baileys-7' }).DEFAULT_ENGINE, 'baileys-7');
  assert.throws(() => parseConfig({ DEFAULT_ENGINE: 'baileys-8' }), /DEFAULT_ENGINE/);
  assert.equal(parseConfig({}).WA_VERSION, undefined);
  assert.deepEqual(parseConfig({ WA_VERSION: '2.3000.1043857760' }).WA_VERSION, [2, 3000, 1043857760]);
  assert.throws(() => parseConfig({ WA_VERSION: '2.3000' }), /WA_VERSION/);
  assert.equal(parseConfig({}).REPAIRS_PER_SENDER_PER_MINUTE, 3);
});
