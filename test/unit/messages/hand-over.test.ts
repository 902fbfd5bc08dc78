// A phone handed to another node by rebalancing (SessionManager.release) keeps the drain's promise
// (issue 24): its message in flight gets its server ack before the socket closes (bounded), and
// nothing new is handed over meanwhile, so the next owner sends none of them twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { WASocket } from '@whiskeysockets/baileys';
import { MessageEngine, DEFAULT_MESSAGE_SETTINGS } from '../../../lib/messages/engine';
import { SessionManager } from '../../../lib/sessions/manager';
import { EventBus } from '../../../lib/sessions/events';
import type { Db } from '../../../lib/db/client';
import type { SessionStore } from '../../../lib/sessions/store';
import { reason } from '../../../lib/sessions/reasons';

const log = pino({ level: 'silent' });

/**
 * An engine on one phone with an open socket: the queue and the hand-over in memory, a socket that
 * records sends; the test gives the server's acks (the socket's `CB:ack,class:message`).
 */
function engineHarness() {
  const queue: { messageId: string; sentAt: Date | null; attempts: number }[] = [];
  const written: string[] = [];
  const sends: string[] = [];
  let onSend: (id: string) => void = () => {};
  let ackListener: (node: { attrs: Record<string, string> }) => void = () => {};
  const evListeners = new Map<string, (arg: unknown) => void>();
  const sock = {
    sendMessage: async (_jid: string, _content: unknown, opts: { messageId: string }) => {
      sends.push(opts.messageId);
      onSend(opts.messageId);
    },
    ws: { on: (_event: string, listener: typeof ackListener) => (ackListener = listener) },
    ev: { on: (event: string, listener: (arg: unknown) => void) => void evListeners.set(event, listener) },
  };
  const queued = () => queue.map((m) => ({ messageId: m.messageId, chatJid: '15550001111@s.whatsapp.net', kind: 'text', body: 'hi', media: null, mediaData: null, attempts: m.attempts, createdAt: new Date(), sentAt: m.sentAt }));
  const db = {
    // The sender's queue read is a hand-written statement (MessageSql.queue, on the driver).
    $queryRawUnsafe: async (sql: string) => (sql.includes(`"status" = 'queued'`) ? queued() : []),
    message: {
      findMany: async (args: { where: { status?: string } }) => (args.where.status === 'queued' ? queued() : []),
      updateMany: async () => ({ count: 0 }),
      findUnique: async () => null,
    },
  };
  let gate: Promise<void> = Promise.resolve();
  const store = {
    provider: 'sqlite',
    writeStatements: async (_phoneId: number, statements: { sql: string; params: unknown[] }[]) =>
      (await gate, statements).map((s) => {
        const id = s.params.find((p) => typeof p === 'string' && queue.some((m) => m.messageId === p)) as string | undefined;
        const m = queue.find((q) => q.messageId === id);
        if (!m) return 0;
        if (s.sql.includes('"attempts" = "attempts" + 1')) {
          m.sentAt = new Date();
          m.attempts++;
          written.push(`${m.messageId}:handed`);
        } else {
          queue.splice(queue.indexOf(m), 1); // acked or failed: no longer queued
          written.push(`${m.messageId}:${s.sql.includes("'failed'") ? 'failed' : 'sent'}`);
        }
        return 1;
      }),
  };
  let open = true;
  const engine = new MessageEngine({
    db: db as unknown as Db,
    store: store as unknown as SessionStore,
    bus: new EventBus(() => {}),
    log,
    settings: { ...DEFAULT_MESSAGE_SETTINGS, phoneIntervalMs: 0, recipientIntervalMs: 0, ackTimeoutMs: 60_000 },
    openSocket: () => (open ? (sock as unknown as WASocket) : null),
    openPhones: () => (open ? [1] : []),
    epochOf: () => 1,
    phoneJidOf: () => '77990000001@s.whatsapp.net',
  });
  engine.attach(1, sock as unknown as WASocket);
  const inFlight = (id: string) => new Promise<void>((resolve) => (onSend = (sent) => sent === id && resolve()));
  return {
    engine,
    queue,
    written,
    sends,
    ack: (id: string) => ackListener({ attrs: { id } }),
    /** a contact's delivery receipt (Baileys' messages.update, DELIVERY_ACK) */
    delivered: (id: string) => evListeners.get('messages.update')!([{ key: { id, fromMe: true, remoteJid: '15550001111@s.whatsapp.net' }, update: { status: 3 } }]),
    close: () => (open = false),
    add: (messageId: string) => queue.push({ messageId, sentAt: null, attempts: 0 }),
    /** queues `messageId` (or, without it, only wakes the sender) and waits until it is handed to the socket */
    sendNext: async (messageId?: string) => {
      if (messageId) queue.push({ messageId, sentAt: null, attempts: 0 });
      const sent = inFlight(messageId ?? queue.find((m) => m.sentAt === null)!.messageId);
      engine.queued(1);
      await sent;
    },
    /** holds every write until the returned function is called (a slow commit) */
    holdWrites: () => {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return open;
    },
  };
}

test('finishPhone: the message in flight gets its ack, nothing new is handed over, whatever wakes the sender', async () => {
  const h = engineHarness();
  await h.sendNext('a');
  const finished = h.engine.finishPhone(1, 60_000);
  h.add('b');
  h.engine.queued(1); // a message queued during the hand-over (another node's API, the poll)
  h.ack('a'); // the server's ack arrives during the hand-over
  await finished;
  await h.engine.idle();
  h.engine.queued(1); // after the wait, before the socket closed: still nothing new
  await h.engine.idle();
  assert.deepEqual(h.sends, ['a'], "'b' was not handed over: the next owner sends it, once");
  assert.deepEqual(h.written, ['a:handed', 'a:sent'], 'the ack was stored before the hand-over ended');
  // The phone's socket opens here again later (it came back): its sender runs again.
  h.engine.forget(1);
  await h.sendNext();
  h.ack('b');
  await h.engine.idle();
  assert.deepEqual(h.written, ['a:handed', 'a:sent', 'b:handed', 'b:sent']);
  h.engine.stop();
});

test('finishPhone is bounded: without an ack it ends after maxMs and the message stays in flight for the next owner', async () => {
  const h = engineHarness();
  await h.sendNext('a');
  const started = Date.now();
  await h.engine.finishPhone(1, 50);
  assert.ok(Date.now() - started < 5_000, 'bounded by maxMs, not by the ack timeout');
  assert.deepEqual(h.written, ['a:handed'], 'neither acked nor failed: the next owner sends it again under its id');
  assert.equal(h.queue[0].sentAt !== null, true);
  h.engine.stop();
});

test('flush: waits for the status writes of receipts the socket already acknowledged, bounded', async () => {
  const h = engineHarness();
  await h.sendNext('a');
  const commit = h.holdWrites();
  h.delivered('a'); // Baileys acknowledged the receipt to WhatsApp; our write is still running
  let flushed = false;
  const flushing = h.engine.flush(60_000, 1).then(() => (flushed = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(flushed, false, 'the flush waits for the write');
  commit();
  await flushing;
  assert.ok(h.written.includes('a:sent'), `the receipt's write landed before the flush ended (${h.written.join(', ')})`);
  // Bounded: a write that never commits does not hold the hand-over longer than maxMs.
  await h.sendNext('b');
  h.holdWrites();
  h.delivered('b');
  const started = Date.now();
  await h.engine.flush(50, 1);
  assert.ok(Date.now() - started < 5_000);
  h.engine.stop();
});

test('finishPhone of a phone without a sender returns at once', async () => {
  const h = engineHarness();
  await h.engine.finishPhone(1, 60_000);
  assert.deepEqual(h.sends, []);
  h.engine.stop();
});

test('release (rebalancing): waits for the message in flight, closes the socket storing why, waits for the writes of what it acknowledged, then forgets the phone', async () => {
  const manager = new SessionManager({} as unknown as Db, {} as never, log);
  manager.messages.stop();
  const steps: string[] = [];
  let ackArrives!: () => void;
  const ack = new Promise<void>((resolve) => (ackArrives = resolve));
  const fakeMessages = {
    finishPhone: async (phoneId: number, maxMs: number) => {
      steps.push(`finish ${phoneId} within ${maxMs} ms`);
      await ack;
      steps.push('acked');
    },
    flush: async (maxMs: number, phoneId?: number) => void steps.push(`flush ${phoneId} within ${maxMs} ms`),
    forget: (phoneId: number) => void steps.push(`forget ${phoneId}`),
    onEngineEvent: () => {},
  };
  Object.assign(manager, { messages: fakeMessages });
  const session = {
    phoneId: 7,
    handOver: async (why: { code: string }) => void steps.push(`hand over (${why.code})`),
    settled: async () => void steps.push('settled'),
  };
  (manager as unknown as { sessions: Map<number, unknown> }).sessions.set(7, session);
  const released = manager.release(7, reason('rebalanced', { from: 'node_a' }));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(steps, ['finish 7 within 5000 ms'], 'the socket stays open while the ack is awaited');
  ackArrives();
  await released;
  assert.deepEqual(steps, ['finish 7 within 5000 ms', 'acked', 'hand over (rebalanced)', 'settled', 'flush 7 within 5000 ms', 'forget 7']);
  assert.equal(manager.runningCount(), 0);
});
