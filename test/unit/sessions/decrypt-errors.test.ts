import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyDecryptError, ErrorCounters, errorStats, healthLevel, isWarning, severity } from '../../../lib/sessions/decrypt-errors';

const limits = { maxBadMacErrors: 3, maxBadDecryptErrors: 5 };

test('classification of every failure Baileys reports', () => {
  assert.equal(classifyDecryptError('Bad MAC'), 'bad-mac');
  assert.equal(classifyDecryptError('error:1C800064:Provider routines::bad decrypt'), 'bad-decrypt');
  assert.equal(classifyDecryptError('No session record'), 'no-session');
  assert.equal(classifyDecryptError('Message absent from node'), 'message-absent');
  assert.equal(classifyDecryptError('Incompatible version number on PreKeyWhisperMessage'), 'version');
  assert.equal(classifyDecryptError('Invalid PreKey ID'), 'invalid-prekey');
  assert.equal(classifyDecryptError('No matching sessions found for message', 'Key used already or never filled'), 'duplicate');
  assert.equal(classifyDecryptError('something new'), 'other');
  // The established-session case is classified by the cause libsignal recorded, never guessed.
  assert.equal(classifyDecryptError('No matching sessions found for message', 'Bad MAC'), 'bad-mac');
  assert.equal(classifyDecryptError('No matching sessions found for message', 'error:1C800064:Provider routines::bad decrypt'), 'bad-decrypt');
  assert.equal(classifyDecryptError('No matching sessions found for message', null), 'other');
});

test("the seed's example: 2/3 Bad MAC and 1/5 Bad Decrypt is healthy", () => {
  const s = errorStats(2, 1, limits);
  assert.deepEqual(s, { badMacErrors: 2, badDecryptErrors: 1, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
  assert.equal(healthLevel(s, true), 'critical', 'the next Bad MAC closes it');
  assert.equal(isWarning(s), true, "the seed's monitor warns at max - 1");
});

test('limits and health levels', () => {
  const c = new ErrorCounters(limits);
  assert.equal(healthLevel(c.stats(), true), 'healthy');
  assert.equal(healthLevel(c.stats(), false), 'closed');
  assert.deepEqual(c.record('bad-mac'), { count: 1, max: 3, limitReached: false });
  assert.equal(healthLevel(c.stats(), true), 'degraded');
  c.record('bad-mac');
  assert.equal(c.record('bad-mac').limitReached, true);
  assert.equal(c.stats().isHealthy, false);
  c.reset();
  for (let i = 1; i <= 4; i++) assert.equal(c.record('bad-decrypt').limitReached, false);
  assert.equal(healthLevel(c.stats(), true), 'critical');
  assert.equal(c.record('bad-decrypt').limitReached, true);
});

test("webhook severity follows the seed: critical at max - 1 or more", () => {
  assert.equal(severity(1, 3), 'warning');
  assert.equal(severity(2, 3), 'critical');
  assert.equal(severity(3, 3), 'critical');
  assert.equal(severity(3, 5), 'warning');
  assert.equal(severity(4, 5), 'critical');
});

