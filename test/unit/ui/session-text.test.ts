// The console's words for engine records (close reasons, timeline, error codes) and the stream's
// in-place patches of the summary tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translator } from '../../../lib/ui/i18n';
import { errorText, reasonText, timelineText } from '../../../lib/ui/session-text';
import { manualClose, reason, whatsAppCloseReason } from '../../../lib/sessions/reasons';
import { patchSession, patchSummary } from '../../../components/sessions/useSessionStream';
import type { SessionDto } from '../../../lib/api/session-schemas';

const en = translator('en');
const ru = translator('ru');

test('close reasons in words: the auto-close keeps its evidence', () => {
  assert.equal(reasonText(en, reason('auto_closed', { errorType: 'Bad MAC', count: 3, max: 3 })), 'auto-closed: Bad MAC 3/3');
  assert.equal(reasonText(ru, reason('auto_closed', { errorType: 'Bad Decrypt', count: 5, max: 5 })), 'закрыта автоматически: Bad Decrypt 5/5');
  assert.equal(reasonText(en, manualClose()), 'closed by an administrator');
  assert.equal(reasonText(ru, reason('gave_up', { attempts: 5, last: whatsAppCloseReason(408, 'timeout') })), 'не удалось переподключиться за 5 попыток: соединение потеряно');
  assert.equal(reasonText(en, manualClose('Switching to a new handset')), 'Switching to a new handset');
  assert.equal(reasonText(en, whatsAppCloseReason(401, 'Logged out by an administrator')), 'logged out by WhatsApp (code 401)', "WhatsApp's English text is never shown");
  assert.equal(reasonText(ru, reason('proxy_failed', { kind: 'auth', detail: 'proxy authentication failed' })), 'ошибка аутентификации на прокси');
  assert.equal(reasonText(en, null, 'Closed elsewhere'), 'Closed elsewhere', 'a record from before structured reasons is shown as stored');
  assert.equal(reasonText(en, null), '—');
});

test('timeline entries are sentences, never `state:open`', () => {
  const base = { sender: null, count: null, message: null, detail: null };
  assert.equal(timelineText(en, { ...base, type: 'state:open' }), 'Connected');
  assert.equal(timelineText(ru, { ...base, type: 'state:open' }), 'Подключена');
  assert.equal(
    timelineText(en, { ...base, type: 'state:closed', message: 'Bad MAC limit reached (3/3)', detail: { reason: { code: 'auto_closed', params: { errorType: 'Bad MAC', count: 3, max: 3 } } } }),
    'Closed: auto-closed: Bad MAC 3/3',
  );
  assert.equal(
    timelineText(en, { type: 'decrypt:bad-mac', sender: null, count: 1, message: 'Bad MAC', detail: { max: 3, deletedKeys: 0 } }),
    'Bad MAC from an unknown sender (1/3)',
    'no "0 keys deleted"',
  );
  assert.equal(
    timelineText(en, { type: 'decrypt:bad-mac', sender: '15550001111:2@s.whatsapp.net', count: 2, message: 'Bad MAC', detail: { max: 3, deletedKeys: 4 } }),
    'Bad MAC from +15550001111 (2/3), 4 keys deleted',
  );
  assert.equal(timelineText(ru, { ...base, type: 'decrypt:no-session', sender: null }), 'Нет сессии от неизвестного отправителя');
  assert.equal(timelineText(en, { ...base, type: 'pairing-code' }), 'Pairing code requested');
  assert.equal(timelineText(en, { ...base, type: 'something:new', message: 'x' }), 'something:new: x');
});

test('server errors are shown by their code in the UI language; unknown codes as sent', () => {
  assert.equal(errorText(ru, { code: 'already_registered', message: 'Phone 77051234567 is already registered' }), 'Этот номер уже зарегистрирован');
  assert.equal(errorText(ru, { code: 'not_found', message: 'Phone not found' }), 'Не найдено');
  assert.equal(errorText(ru, { code: 'forbidden', message: 'Forbidden' }), 'Недостаточно прав');
  assert.equal(errorText(en, { code: 'brand_new_code', message: 'As sent' }), 'As sent');
  assert.equal(errorText(en, { message: 'No code' }), 'No code');
});

test('stream events patch rows and tile counts in place; only a connected phone can be healthy', () => {
  const summary = { total: 3, byStatus: { idle: 1, connecting: 0, qr: 1, open: 1, closing: 0, closed: 0, logged_out: 0, owner_lost: 0 }, byHealth: { healthy: 1, degraded: 0, critical: 0, closed: 2 } };
  const at = new Date().toISOString();
  const next = patchSummary(summary, { type: 'state', phoneId: 1, phoneJid: 'x', state: 'closed', previous: 'open', at });
  assert.equal(next.byStatus.open, 0);
  assert.equal(next.byStatus.closed, 1);
  assert.equal(summary.byStatus.open, 1, 'the cached object is not mutated');
  assert.equal(patchSummary(summary, { type: 'qr', phoneId: 1, phoneJid: 'x', qr: 'q', at }), summary);
  const s = { id: 1, status: 'open', health: 'healthy', isActive: true, lastConnectedAt: null, lastCloseReason: null } as unknown as SessionDto;
  assert.equal(patchSession(s, { type: 'state', phoneId: 1, phoneJid: 'x', state: 'qr', previous: 'open', at }).health, 'closed');
  assert.equal(patchSession(s, { type: 'state', phoneId: 1, phoneJid: 'x', state: 'connecting', previous: 'open', at }).health, 'closed');
});

test('liveness words (issue 26): the unresponsive reason and the health timeline entries, in both languages', () => {
  const why = { code: 'unresponsive', params: { failures: 3 } } as const;
  assert.equal(reasonText(en, why), 'unresponsive: 3 probes in a row got no answer');
  assert.equal(reasonText(ru, why), 'не отвечает (проверок подряд без ответа: 3)');
  const e = { sender: null, message: null, detail: null };
  assert.equal(timelineText(en, { ...e, type: 'health:unresponsive', count: 3 }), 'Unresponsive: 3 probes in a row got no answer');
  assert.equal(timelineText(ru, { ...e, type: 'health:recovered', count: null }), 'Снова отвечает');
});
