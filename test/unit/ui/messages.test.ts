// The Messages tab's pure parts: a live status applied to the cached list, a file's media kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMessageStatus, mediaKindOf, peerText, type MessageItem } from '../../../lib/ui/messages';

const item = (id: string, extra: Partial<MessageItem> = {}): MessageItem => ({
  id, direction: 'out', to: '15550001111@s.whatsapp.net', kind: 'text', status: 'queued', code: null, error: null, createdAt: '2026-12-06T00:00:00.000Z', sentAt: null, deliveredAt: null, readAt: null, ...extra,
});
const status = (messageId: string, s: 'sent' | 'read' | 'failed', code: 'expired' | null = null) =>
  ({ type: 'message.status', phoneId: 1, phoneJid: '1@s.whatsapp.net', messageId, chatJid: '15550001111@s.whatsapp.net', status: s, code, at: '2026-12-06T00:00:05.000Z' }) as const;

test('a status event moves the message it names and records the time; other messages stay the same objects', () => {
  const other = item('B');
  const page = { items: [item('A'), other], nextCursor: null };
  const read = applyMessageStatus(page, status('A', 'read'))!;
  assert.equal(read.items[0].status, 'read');
  assert.equal(read.items[0].readAt, '2026-12-06T00:00:05.000Z');
  assert.equal(read.items[1], other);
  const failed = applyMessageStatus(page, status('B', 'failed', 'expired'))!;
  assert.deepEqual([failed.items[1].status, failed.items[1].code], ['failed', 'expired']);
  assert.equal(page.items[0].status, 'queued', 'the cached page is not changed in place');
});

test('a status of a message the list does not hold: null (the list is read again)', () => {
  assert.equal(applyMessageStatus({ items: [item('A')], nextCursor: null }, status('Z', 'sent')), null);
});

test('a file goes as image, video or audio when WhatsApp takes its type so, else as a document', () => {
  assert.equal(mediaKindOf('image/png'), 'image');
  assert.equal(mediaKindOf('IMAGE/JPEG'), 'image');
  assert.equal(mediaKindOf('video/mp4'), 'video');
  assert.equal(mediaKindOf('audio/ogg'), 'audio');
  assert.equal(mediaKindOf('image/gif'), 'document');
  assert.equal(mediaKindOf('application/pdf'), 'document');
  assert.equal(mediaKindOf(''), 'document');
});

test('peers: a phone JID as +number, anything else as it is', () => {
  assert.equal(peerText('15550001111@s.whatsapp.net'), '+15550001111');
  assert.equal(peerText('15550001111:3@s.whatsapp.net'), '+15550001111');
  assert.equal(peerText('1203630@g.us'), '1203630@g.us');
  assert.equal(peerText(undefined), '—');
});
