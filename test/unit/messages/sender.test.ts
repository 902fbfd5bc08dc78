import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { PhoneSender, type QueuedMessage } from '../../../lib/messages/sender';

/** A queue in memory and a socket that records sends; acks are given by the test. */
function harness(messages: QueuedMessage[], settings: Partial<ConstructorParameters<typeof PhoneSender>[0]['settings']> = {}) {
  const sends: { jid: string; id: string }[] = [];
  const statuses: string[] = [];
  const liveness: boolean[] = [];
  /** messages another node failed after this sender read its queue (the hand-over finds them no longer queued) */
  const gone = new Set<string>();
  const refused = new Set<string>();
  let onSend: (id: string) => void = () => {};
  /** how long sendMessage takes before it returns (devices, pre-keys, encryption) */
  let sendMs = 0;
  const sock = {
    sendMessage: async (jid: string, _content: never, opts: { messageId: string }) => {
      sends.push({ jid, id: opts.messageId });
      if (sendMs) await new Promise((r) => setTimeout(r, sendMs));
      onSend(opts.messageId);
    },
  };
  const find = (id: string) => messages.find((m) => m.messageId === id)!;
  const sender = new PhoneSender({
    phoneId: 1,
    socket: () => sock,
    queue: async () => messages.filter((m) => !refused.has(m.messageId) && !statuses.some((s) => s.startsWith(`${m.messageId}:`))),
    // The stored send times (the hand-over sets sentAtMs), as the engine reads them for the pace.
    recentSends: async (sinceMs) => messages.filter((m) => m.sentAtMs !== null && m.sentAtMs >= sinceMs).map((m) => ({ chatJid: m.chatJid, sentAtMs: m.sentAtMs! })),
    handOver: async (id) => {
      if (gone.has(id)) {
        refused.add(id); // the next queue read no longer has it (its row says failed)
        return false;
      }
      find(id).sentAtMs = Date.now();
      find(id).attempts++;
      return true;
    },
    acked: async (id) => void statuses.push(`${id}:sent`),
    fail: async (id, code) => void statuses.push(`${id}:failed:${code}`),
    settings: { phoneIntervalMs: 0, recipientIntervalMs: 0, ttlMs: 60_000, ackTimeoutMs: 50, maxAttempts: 3, ...settings },
    now: () => Date.now(),
    log: pino({ level: 'silent' }),
    liveness: (answered) => void liveness.push(answered),
  });
  return { sender, sends, statuses, liveness, gone, setOnSend: (f: (id: string) => void) => (onSend = f), setSendMs: (ms: number) => (sendMs = ms) };
}

const msg = (messageId: string, chatJid: string, extra: Partial<QueuedMessage> = {}): QueuedMessage => ({ messageId, chatJid, kind: 'text', body: 'hi', media: null, mediaData: null, attempts: 0, createdAtMs: Date.now(), sentAtMs: null, ...extra });

test('one message in flight at a time, in order, each after its server ack', async () => {
  const h = harness([msg('a', 'x'), msg('b', 'x'), msg('c', 'y')]);
  h.setOnSend((id) => queueMicrotask(() => h.sender.ack(id)));
  h.sender.wake();
  while (h.statuses.length < 3) await h.sender.idle();
  assert.deepEqual(h.sends.map((s) => s.id), ['a', 'b', 'c']);
  assert.deepEqual(h.statuses, ['a:sent', 'b:sent', 'c:sent']);
});

test('no ack in time: sent again under the same id, then failed with timeout after the last attempt', async () => {
  const h = harness([msg('a', 'x')]);
  h.sender.wake();
  while (!h.statuses.length) await h.sender.idle();
  assert.deepEqual(h.sends.map((s) => s.id), ['a', 'a', 'a']);
  assert.deepEqual(h.statuses, ['a:failed:timeout']);
});

test('the ack deadline counts from the write: a send that took longer than the deadline is not sent again when its ack follows', async () => {
  const h = harness([msg('slow', 'x')], { ackTimeoutMs: 50 });
  h.setSendMs(150); // sendMessage itself takes three deadlines (a first message on a busy node)
  h.setOnSend((id) => setTimeout(() => h.sender.ack(id), 5)); // the server acks just after the write
  h.sender.wake();
  while (!h.statuses.length) await h.sender.idle();
  assert.deepEqual(h.sends.map((s) => s.id), ['slow'], 'sent once');
  assert.deepEqual(h.statuses, ['slow:sent']);
  assert.deepEqual(h.liveness, [true], 'the phone answered: no failed probe counted');
});

test('a message queued longer than the TTL fails with expired and is never sent', async () => {
  const h = harness([msg('old', 'x', { createdAtMs: Date.now() - 120_000 })]);
  h.sender.wake();
  while (!h.statuses.length) await h.sender.idle();
  assert.deepEqual(h.sends, []);
  assert.deepEqual(h.statuses, ['old:failed:expired']);
});

test('an ack error fails the message with its code', async () => {
  const h = harness([msg('a', 'x')]);
  h.setOnSend((id) => queueMicrotask(() => h.sender.ack(id, 'rate_limited')));
  h.sender.wake();
  while (!h.statuses.length) await h.sender.idle();
  assert.deepEqual(h.statuses, ['a:failed:rate_limited']);
});

test('liveness (issue 26): each send without a server ack in time counts as a failed probe, an ack as an answer', async () => {
  const silent = harness([msg('a', 'x')]);
  silent.sender.wake();
  while (!silent.statuses.length) await silent.sender.idle();
  assert.deepEqual(silent.liveness, [false, false, false]);
  const answered = harness([msg('b', 'x')]);
  answered.setOnSend((id) => queueMicrotask(() => answered.sender.ack(id)));
  answered.sender.wake();
  while (!answered.statuses.length) await answered.sender.idle();
  assert.deepEqual(answered.liveness, [true]);
});

test('a message failed elsewhere (expiry sweep) between the queue read and the hand-over is not sent', async () => {
  const h = harness([msg('swept', 'x'), msg('next', 'x')]);
  h.gone.add('swept');
  h.setOnSend((id) => queueMicrotask(() => h.sender.ack(id)));
  h.sender.wake();
  while (!h.statuses.includes('next:sent')) await h.sender.idle();
  assert.deepEqual(h.sends.map((s) => s.id), ['next']);
});

test('finish (drain): the message in flight gets its ack before the sender stops, and nothing new is handed over', async () => {
  const h = harness([msg('a', 'x'), msg('b', 'x')], { ackTimeoutMs: 60_000 });
  let sentA!: () => void;
  const aSent = new Promise<void>((resolve) => (sentA = resolve));
  h.setOnSend((id) => id === 'a' && sentA());
  h.sender.wake();
  await aSent; // 'a' is in flight, waiting for its ack
  const finished = h.sender.finish(60_000);
  h.sender.ack('a'); // the server's ack arrives during the drain
  await finished;
  assert.deepEqual(h.statuses, ['a:sent'], 'the ack of the message in flight was stored before the sender stopped');
  assert.deepEqual(h.sends.map((s) => s.id), ['a'], "'b' was not handed over: the next owner sends it, once");
  assert.equal(h.sender.stopped, true);
});

test('finish is bounded: with no ack the sender stops after maxMs, the message stays in flight', async () => {
  const h = harness([msg('a', 'x')], { ackTimeoutMs: 60_000 });
  let sentA!: () => void;
  const aSent = new Promise<void>((resolve) => (sentA = resolve));
  h.setOnSend(() => sentA());
  h.sender.wake();
  await aSent;
  await h.sender.finish(20);
  assert.deepEqual(h.statuses, [], 'not acked, not failed: the next owner sends it again under its id');
  assert.equal(h.sender.stopped, true);
});

test('the pace is read from the stored sends: a new sender (another node after a move) waits for the last owner\'s send', async () => {
  // 'a' was handed over by the previous owner just now; this sender has no memory of it.
  const h = harness([msg('done', 'x', { sentAtMs: Date.now(), attempts: 1 }), msg('b', 'x')], { recipientIntervalMs: 300 });
  // 'done' was acked on the old node: it is no longer queued, only its stored sentAt remains.
  h.statuses.push('done:sent');
  h.setOnSend((id) => queueMicrotask(() => h.sender.ack(id)));
  const started = Date.now();
  h.sender.wake();
  while (!h.statuses.includes('b:sent')) await new Promise((r) => setTimeout(r, 10));
  const sentB = h.sends.find((s) => s.id === 'b');
  assert.ok(sentB, "'b' was sent");
  assert.ok(Date.now() - started >= 250, `'b' waited for the recipient's pace set by the other node's send (${Date.now() - started} ms)`);
  h.sender.stop();
});
