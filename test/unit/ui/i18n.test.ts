// The console's message catalogs and locale choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en } from '../../../lib/ui/i18n/en';
import { ru } from '../../../lib/ui/i18n/ru';
import { formatNumber, pickLocale, serverMessage, translator } from '../../../lib/ui/i18n';

/** Strings that are the same in both languages on purpose: protocol names, a setting's name. */
const SAME_IN_BOTH = new Set(['col.badMac', 'col.badDecrypt', 'webhooks.url', 'webhooks.global']);

test('en and ru have the same keys, every Russian string is translated and keeps the placeholders', () => {
  assert.deepEqual(Object.keys(ru).sort(), Object.keys(en).sort());
  for (const [key, value] of Object.entries(en)) {
    const r = ru[key as keyof typeof en];
    assert.ok(r.trim().length > 0, key);
    // Translated: Russian words (Cyrillic) in it, unless the key is one of the few kept as is.
    if (SAME_IN_BOTH.has(key)) assert.equal(r, value, `${key} is kept as in English`);
    else assert.match(r, /[А-Яа-яЁё]/, `${key} is translated (English: ${JSON.stringify(value)}, Russian: ${JSON.stringify(r)})`);
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
