import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyHash, canAdvance, classifySendError, expiredItems, idempotencyOutcome, nextSend, paceFromSends, payloadWithoutContent, phonesToExpire, statusFromBaileys, statusesBefore, statusSteps, type QueuedItem } from '../../../lib/messages/policy';
import { recipientSchema, sendMessageBodySchema } from '../../../lib/api/message-schemas';
import { mediaProblem } from '../../../lib/messages/service';

const settings = { phoneIntervalMs: 100, recipientIntervalMs: 1000, ttlMs: 60_000 };
const item = (messageId: string, chatJid: string, createdAtMs = 0, sentAtMs: number | null = null): QueuedItem => ({ messageId, chatJid, createdAtMs, sentAtMs });
const fresh = { lastPhoneSendMs: null, lastRecipientSendMs: new Map<string, number>() };

test('statuses only move forward; failed is final and only from queued', () => {
  assert.ok(canAdvance('queued', 'sent'));
  assert.ok(canAdvance('sent', 'read'));
  assert.ok(canAdvance('queued', 'delivered'));
  assert.ok(!canAdvance('read', 'delivered'));
  assert.ok(!canAdvance('delivered', 'delivered'));
  assert.ok(!canAdvance('failed', 'sent'));
  assert.ok(!canAdvance('sent', 'failed'));
  assert.deepEqual(statusesBefore('delivered'), ['queued', 'sent']);
  assert.equal(statusFromBaileys(2), 'sent');
  assert.equal(statusFromBaileys(3), 'delivered');
  assert.equal(statusFromBaileys(4), 'read');
  assert.equal(statusFromBaileys(1), null);
});

test('a later status implies the earlier ones: the steps a report takes a message through, in order', () => {
  assert.deepEqual(statusSteps('queued', 'sent'), ['sent']);
  assert.deepEqual(statusSteps('queued', 'delivered'), ['sent', 'delivered'], 'a receipt before the server ack');
  assert.deepEqual(statusSteps('queued', 'read'), ['sent', 'delivered', 'read']);
  assert.deepEqual(statusSteps('sent', 'read'), ['delivered', 'read']);
  assert.deepEqual(statusSteps('delivered', 'read'), ['read']);
  assert.deepEqual(statusSteps('delivered', 'sent'), [], 'a late ack');
  assert.deepEqual(statusSteps('read', 'read'), [], 'a repeated receipt');
  assert.deepEqual(statusSteps('failed', 'delivered'), [], 'failed is final');
});

test('a delivery payload without content access: no body or media of a received message; other payloads as they are', () => {
  const received = { type: 'message.received', phoneId: 1, message: { id: 'A', from: 'x', kind: 'image', text: 'a caption', media: { mimetype: 'image/png', fileName: 'f.png', size: 3 }, sentAt: 't' }, timestamp: 't' };
  assert.deepEqual(payloadWithoutContent('message.received', received), { type: 'message.received', phoneId: 1, message: { id: 'A', from: 'x', kind: 'image', sentAt: 't' }, timestamp: 't' });
  assert.equal(received.message.text, 'a caption', 'the stored payload is not changed');
  const status = { type: 'message.status', message: { id: 'A', status: 'read' } };
  assert.equal(payloadWithoutContent('message.status', status), status);
  assert.equal(payloadWithoutContent('message.received', 'not json'), 'not json');
});

test('the message in flight goes first and alone, under its id', () => {
  const d = nextSend([item('a', 'x'), item('b', 'y', 0, 5)], { lastPhoneSendMs: 10, lastRecipientSendMs: new Map([['y', 10]]) }, 11, settings);
  assert.deepEqual(d, { kind: 'send', item: item('b', 'y', 0, 5), resend: true });
});

test('order per recipient, pace per phone and per recipient: messages wait, never refused', () => {
  assert.deepEqual(nextSend([], fresh, 0, settings), { kind: 'idle' });
  assert.equal((nextSend([item('a', 'x'), item('b', 'y')], fresh, 0, settings) as { item: QueuedItem }).item.messageId, 'a');
  // x was just sent to: the first message of y goes, never the second of x before the first.
  const afterX = { lastPhoneSendMs: 0, lastRecipientSendMs: new Map([['x', 0]]) };
  assert.equal((nextSend([item('a2', 'x'), item('b', 'y')], afterX, 100, settings) as { item: QueuedItem }).item.messageId, 'b');
  // the phone's pace: wait the rest of its interval
  assert.deepEqual(nextSend([item('b', 'y')], afterX, 40, settings), { kind: 'wait', ms: 60 });
  // only x waiting: wait for x's pace
  assert.deepEqual(nextSend([item('a2', 'x')], afterX, 100, settings), { kind: 'wait', ms: 900 });
});

test('the pace from the stored sends: the latest per phone and per recipient, within the window, whoever sent them', () => {
  const sends = [
    { chatJid: 'x', sentAtMs: 900 },
    { chatJid: 'y', sentAtMs: 950 },
    { chatJid: 'x', sentAtMs: 400 },
    { chatJid: 'z', sentAtMs: -500 }, // older than the window (1000 ms): constrains nothing
  ];
  const pace = paceFromSends(sends, 1000, settings);
  assert.equal(pace.lastPhoneSendMs, 950);
  assert.deepEqual([...pace.lastRecipientSendMs].sort(), [['x', 900], ['y', 950]]);
  assert.deepEqual(paceFromSends([], 1000, settings), fresh);
  // Another node's clock ahead of ours: its send counts as now, so the wait is one interval at most.
  const ahead = paceFromSends([{ chatJid: 'x', sentAtMs: 60_000 }], 1000, settings);
  assert.equal(ahead.lastPhoneSendMs, 1000);
  assert.deepEqual(nextSend([item('b', 'y')], ahead, 1000, settings), { kind: 'wait', ms: 100 });
  // A phone that moved: the new owner's first decision waits for the old owner's last send.
  const moved = paceFromSends([{ chatJid: 'x', sentAtMs: 980 }], 1000, settings);
  assert.deepEqual(nextSend([item('a2', 'x')], moved, 1000, settings), { kind: 'wait', ms: 980 });
  assert.deepEqual(nextSend([item('b', 'y')], moved, 1000, settings), { kind: 'wait', ms: 80 });
});

test('expiry: only messages never handed to a socket expire', () => {
  const items = [item('old', 'x', 0), item('inflight', 'y', 0, 10), item('new', 'z', 50_000)];
  assert.deepEqual(expiredItems(items, 60_000, 60_000).map((i) => i.messageId), ['old']);
});

test('send errors: a lost connection keeps the message in flight, others fail with a code', () => {
  assert.deepEqual(classifySendError(Object.assign(new Error('Connection Closed'), { output: { statusCode: 428 } })), { final: false });
  assert.deepEqual(classifySendError(Object.assign(new Error('rate-overlimit'), { output: { statusCode: 429 } })), { final: true, code: 'rate_limited' });
  assert.deepEqual(classifySendError(new Error('boom')), { final: true, code: 'send_failed' });
  assert.deepEqual(classifySendError(new Error('Media upload failed on all hosts')), { final: false }, 'a refused upload is sent again');
});

test('idempotency: same body replays, another body conflicts, key order does not matter', () => {
  const h = bodyHash({ to: '1', text: 'hi' });
  assert.equal(h, bodyHash({ text: 'hi', to: '1' }));
  assert.equal(idempotencyOutcome(null, h), 'new');
  assert.equal(idempotencyOutcome({ bodyHash: h }, h), 'replay');
  assert.equal(idempotencyOutcome({ bodyHash: h }, bodyHash({ to: '1', text: 'other' })), 'conflict');
});

test('recipients: any spelling of a number, or a JID; field-level errors otherwise', () => {
  assert.equal(recipientSchema.parse('+7 (705) 123-45-67'), '77051234567@s.whatsapp.net');
  assert.equal(recipientSchema.parse('77051234567@s.whatsapp.net'), '77051234567@s.whatsapp.net');
  assert.equal(recipientSchema.parse('120363000000000000@g.us'), '120363000000000000@g.us');
  const bad = sendMessageBodySchema.safeParse({ to: 'abc', text: 'x' });
  assert.ok(!bad.success);
  assert.ok(!sendMessageBodySchema.safeParse({ to: '77051234567', text: '' }).success);
  assert.ok(!sendMessageBodySchema.safeParse({ to: '77051234567', media: { kind: 'sticker', mimetype: 'image/webp', data: 'AA==' } }).success);
});

test('media: mimetype per kind (415) and size limit (413)', () => {
  assert.equal(mediaProblem({ kind: 'image', mimetype: 'image/png', data: 'AAAA' }, 10), null);
  assert.equal(mediaProblem({ kind: 'image', mimetype: 'application/pdf', data: 'AAAA' }, 10), 'unsupported');
  assert.equal(mediaProblem({ kind: 'document', mimetype: 'application/pdf', data: 'AAAA' }, 10), null);
  assert.equal(mediaProblem({ kind: 'image', mimetype: 'image/png', data: 'A'.repeat(40) }, 10), 'too_large');
});

test('expiry sweep: this node expires its own phones and phones no live node owns, never a live owner\'s', () => {
  const owners = new Map([
    [1, 'node_a'], // mine
    [2, 'node_b'], // another live node's
    [3, 'node_gone'], // its owner's lease ran out
    [4, ''], // released by a drain
  ]);
  const live = new Set(['node_a', 'node_b']);
  const mine = (id: number) => id === 1;
  // 5 was never claimed (no owner row); the same phone twice is listed once.
  assert.deepEqual(phonesToExpire([1, 2, 3, 4, 5, 1], owners, live, mine), [1, 3, 4, 5]);
  // Outside a fleet (no owner rows, no nodes) every phone is swept.
  assert.deepEqual(phonesToExpire([7, 8], new Map(), new Set(), () => false), [7, 8]);
});
