// The close/reconnect policy as a pure function, and the session's state machine driven by it with
// a fake socket factory, an in-memory store and fake timers (no network, no database).
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { OutboundPolicy } from '../../../lib/http/outbound-guard';
import { decideAfterClose } from '../../../lib/sessions/close-policy';
import { closeReasonText, whatsAppCloseReason } from '../../../lib/sessions/reasons';
import { Session, type SocketFactory } from '../../../lib/sessions/session';
import { fakeSocketFactory, memoryStore } from '../../support/fake-session';
import { EventBus } from '../../../lib/sessions/events';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

const settings = { reconnectBaseMs: 1000, reconnectMaxMs: 8000, reconnectMaxAttempts: 3 };
const close = (code: number | undefined, state: 'open' | 'qr' | 'connecting' = 'open', attempts = 0) => ({ code, reason: whatsAppCloseReason(code, 'boom'), state, attempts });

test('close policy: what each close leads to', () => {
  assert.deepEqual(decideAfterClose(close(DisconnectReason.restartRequired), settings), { action: 'reopen' });
  assert.deepEqual(decideAfterClose(close(DisconnectReason.loggedOut), settings), { action: 'logged-out', reason: { code: 'logged_out', params: { status: 401, detail: 'boom' } } });
  assert.equal(decideAfterClose(close(DisconnectReason.connectionReplaced), settings).action, 'close', '440: another connection owns the device, never fight it');
  assert.deepEqual(decideAfterClose(close(DisconnectReason.timedOut, 'qr'), settings), { action: 'close', reason: { code: 'qr_expired', params: {} } });
  assert.equal(decideAfterClose(close(DisconnectReason.timedOut, 'open'), settings).action, 'reconnect', 'a lost connection is retried');
  for (const code of [DisconnectReason.forbidden, DisconnectReason.multideviceMismatch, DisconnectReason.badSession]) {
    assert.equal(decideAfterClose(close(code), settings).action, 'close', `code ${code} is final`);
  }
  assert.equal(decideAfterClose(close(undefined), settings).action, 'reconnect', 'a proxy failure (no code) is retried');
});

test('close policy: exponential backoff with jitter, capped, then giving up', () => {
  const at = (attempts: number, r: number) => decideAfterClose(close(DisconnectReason.connectionClosed, 'open', attempts), settings, () => r);
  assert.deepEqual(at(0, 0), { action: 'reconnect', attempt: 1, delayMs: 1000, reason: { code: 'connection_lost', params: { status: 428, detail: 'boom' } } });
  assert.equal((at(1, 1) as { delayMs: number }).delayMs, 2000, 'attempt 2: up to base × 2');
  assert.equal((at(2, 1) as { delayMs: number }).delayMs, 4000, 'attempt 3: up to base × 4');
  assert.equal((at(2, 0.5) as { delayMs: number }).delayMs, 2500, 'jitter between base and the ceiling');
  const gaveUp = at(3, 0);
  assert.deepEqual(gaveUp, { action: 'close', reason: { code: 'gave_up', params: { attempts: 3, last: { code: 'connection_lost', params: { status: 428, detail: 'boom' } } } } });
  assert.equal(gaveUp.action === 'close' && closeReasonText(gaveUp.reason), 'Gave up after 3 reconnect attempts (last: boom (428))', 'the English rendering is the one the API always gave');
  const capped = decideAfterClose(close(DisconnectReason.connectionClosed, 'open', 5), { ...settings, reconnectMaxAttempts: 10 }, () => 1);
  assert.equal((capped as { delayMs: number }).delayMs, 8000, 'never above the maximum');
});

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

test('session state machine: drop → reconnect after the backoff delay → open; 440 → closed for good', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { factory, sockets } = fakeSocketFactory();
    const bus = new EventBus();
    const events: SessionEngineEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const store = memoryStore();
    const session = new Session(1, 1, '15550001111@s.whatsapp.net', {
      db: {} as never,
      logger: pino({ level: 'silent' }),
      bus,
      settings: { waWebSocketUrl: 'ws://unused', limits: { maxBadMacErrors: 3, maxBadDecryptErrors: 5 }, ...settings, keepAliveIntervalMs: 30_000, baileysLogLevel: 'silent', outbound: new OutboundPolicy() },
      makeSocket: factory,
      store,
    }, { lastConnectedAt: null, lastCloseReason: null, proxyUrl: null, accountSignals: null });

    await session.start();
    assert.equal(sockets.length, 1);
    assert.equal(session.state, 'connecting');
    sockets[0].ev.emit('connection.update', { connection: 'open' });
    assert.equal(session.state, 'open');

    // A drop: the policy schedules attempt 1; nothing happens before its delay.
    sockets[0].ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: { output: { statusCode: DisconnectReason.connectionClosed }, message: 'Connection Closed' } } });
    await flush();
    assert.equal(session.state, 'connecting');
    const reconnect = events.find((e) => e.type === 'reconnect') as Extract<SessionEngineEvent, { type: 'reconnect' }>;
    assert.equal(reconnect.attempt, 1);
    assert.equal(reconnect.delayMs, 1000, 'attempt 1 waits the base delay (its jitter range is empty)');
    mock.timers.tick(reconnect.delayMs - 1);
    await flush();
    assert.equal(sockets.length, 1, 'no new socket before the delay');
    mock.timers.tick(1);
    await flush();
    assert.equal(sockets.length, 2, 'a new socket once the delay passed');
    sockets[1].ev.emit('connection.update', { connection: 'open' });
    assert.equal(session.state, 'open');

    // 440: replaced by another connection: closed, and no timer brings it back.
    sockets[1].ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: { output: { statusCode: DisconnectReason.connectionReplaced }, message: 'Stream Errored (conflict)' } } });
    await flush();
    assert.equal(session.state, 'closed');
    assert.match(session.lastCloseReason ?? '', /replaced/);
    mock.timers.tick(120_000);
    await flush();
    assert.equal(sockets.length, 2, 'no reconnect after 440');
    await session.settled();
    assert.deepEqual(store.states, ['connecting', 'open', 'connecting', 'open', 'closed'], 'every state change persisted in order');
  } finally {
    mock.timers.reset();
  }
});

test('a socket that is no longer the session\'s reads and writes no keys; the next socket does', async () => {
  const configs: { auth: { keys: { get(type: string, ids: string[]): Promise<object>; set(data: object): Promise<void> } } }[] = [];
  const { factory: makeFake, sockets } = fakeSocketFactory();
  const factory = ((config: (typeof configs)[number]) => {
    configs.push(config);
    return (makeFake as unknown as (c: unknown) => unknown)(config);
  }) as unknown as SocketFactory;
  const store = memoryStore();
  const written: string[][] = [];
  store.writeKeys = async (_id, { upserts }) => void written.push(upserts.map((u) => u.keyId));
  store.readKeys = async (_id, _type, ids) => new Map(ids.map((id) => [id, JSON.stringify({ stored: id })]));
  const session = new Session(1, 1, '15550001111@s.whatsapp.net', {
    db: {} as never,
    logger: pino({ level: 'silent' }),
    bus: new EventBus(),
    settings: { waWebSocketUrl: 'ws://unused', limits: { maxBadMacErrors: 3, maxBadDecryptErrors: 5 }, ...settings, keepAliveIntervalMs: 30_000, baileysLogLevel: 'silent', outbound: new OutboundPolicy() },
    makeSocket: factory,
    store,
  }, { lastConnectedAt: null, lastCloseReason: null, proxyUrl: null, accountSignals: null });

  await session.start();
  sockets[0].ev.emit('connection.update', { connection: 'open' });
  const first = configs[0].auth.keys;
  await first.set({ 'pre-key': { a: { public: 'x' } } });
  assert.deepEqual(written, [['a']], 'the current socket writes');
  assert.deepEqual(await first.get('session', ['s1']), { s1: { stored: 's1' } }, 'the current socket reads');

  await session.close();
  assert.equal(session.state, 'closed');
  await first.set({ 'pre-key': { b: { public: 'y' } } });
  assert.deepEqual(written, [['a']], 'a late write of the closed socket is dropped, not stored');
  assert.deepEqual(await first.get('session', ['s1', 's2']), {}, 'a closed socket reads nothing');

  await session.start();
  sockets[1].ev.emit('connection.update', { connection: 'open' });
  await configs[1].auth.keys.set({ 'pre-key': { c: { public: 'z' } } });
  assert.deepEqual(written, [['a'], ['c']], 'the next socket writes again');
  assert.deepEqual(await configs[1].auth.keys.get('pre-key', ['b']), { b: { stored: 'b' } }, 'the dropped write left nothing in memory: the read asks the store');
  await session.settled();
});
