// The console's message catalogs and locale choice, and the stream's cache patching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en } from '../../../lib/ui/i18n/en';
import { ru } from '../../../lib/ui/i18n/ru';
import { formatNumber, pickLocale, serverMessage, translator } from '../../../lib/ui/i18n';
import { patchSession } from '../../../components/sessions/useSessionStream';
import type { SessionDto } from '../../../lib/api/session-schemas';

test('en and ru have the same keys, every Russian string is translated and keeps the placeholders', () => {
  assert.deepEqual(Object.keys(ru).sort(), Object.keys(en).sort());
  for (const [key, value] of Object.entries(en)) {
    const r = ru[key as keyof typeof en];
    assert.ok(r.trim().length > 0, key);
    const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(vars(r), vars(value), `placeholders of ${key}`);
  }
});

test('pickLocale: cookie first, then Accept-Language, else English', () => {
  assert.equal(pickLocale('ru', 'en-US'), 'ru');
  assert.equal(pickLocale(undefined, 'ru-RU,ru;q=0.9,en;q=0.8'), 'ru');
  assert.equal(pickLocale(undefined, 'de-DE,en;q=0.5'), 'en');
  assert.equal(pickLocale('xx', 'fr'), 'en');
  assert.equal(pickLocale(undefined, null), 'en');
});

test('translator fills variables and numbers are formatted per locale', () => {
  assert.equal(translator('en')('detail.keysDeleted', { n: 45 }), 'keys deleted: 45');
  assert.equal(translator('ru')('detail.keysDeleted', { n: 45 }), 'удалено ключей: 45');
  assert.equal(formatNumber('en', 12345), '12,345');
  assert.equal(formatNumber('ru', 12345).replace(/\s/g, ' '), '12 345');
});

test('known server messages are shown in the UI language, unknown ones as sent', () => {
  assert.equal(serverMessage(translator('ru'), 'Session restarted'), 'Сессия перезапущена');
  assert.equal(serverMessage(translator('en'), 'Session closed'), 'Session closed');
  assert.equal(serverMessage(translator('ru'), 'Something new'), 'Something new');
});

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
