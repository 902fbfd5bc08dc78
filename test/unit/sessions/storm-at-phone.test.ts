// Issue 25, done-when: "a storm of 10,000 Bad MACs at one phone keeps the process under a memory
// bound and the repair count under the guard". storm-guard.test.ts measures the guard alone; this
// drives the storm through a phone's Session (Baileys' CIPHERTEXT stubs on its socket, as a
// decryption failure arrives), so the guard is shown wired where the repair happens. The seed's
// limit (3) would close the phone at the third: the limit is raised, as an operator who wants to
// ride out a storm would (MAX_BAD_MAC_ERRORS). Time stands still (mocked Date): one minute's window.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { WAMessageStubType } from '@whiskeysockets/baileys';
import { OutboundPolicy } from '../../../lib/http/outbound-guard';
import { Session } from '../../../lib/sessions/session';
import { EventBus } from '../../../lib/sessions/events';
import { fakeSocketFactory, memoryStore } from '../../support/fake-session';
import { heapAfterGc } from '../../support/heap';

const heap = heapAfterGc;

const STORM = 10_000;
const PER_MINUTE = 3;

test(`${STORM.toLocaleString('en')} Bad MACs from one sender at one phone: ${PER_MINUTE} repairs, every failure counted, memory bounded`, async () => {
  mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-12-07T00:00:00Z') });
  try {
    const { factory, sockets } = fakeSocketFactory();
    const store = memoryStore();
    let repairs = 0;
    store.deleteSenderSessions = async () => (repairs++, 1);
    let stored = 0;
    let skipped = 0;
    store.writeSession = async (_id, writes) => {
      for (const w of writes) {
        if (w.kind !== 'event' || w.data.type !== 'decrypt:bad-mac') continue;
        stored++;
        if (JSON.parse(w.data.detail ?? '{}').repairSkipped) skipped++;
      }
    };
    const bus = new EventBus();
    let failures = 0;
    bus.subscribe((e) => void (e.type === 'decrypt-failure' && failures++));
    const session = new Session(1, 1, '15550009999@s.whatsapp.net', {
      db: {} as never,
      logger: pino({ level: 'silent' }),
      bus,
      settings: {
        waWebSocketUrl: 'ws://unused', limits: { maxBadMacErrors: 1_000_000, maxBadDecryptErrors: 5 }, reconnectBaseMs: 1000, reconnectMaxMs: 8000, reconnectMaxAttempts: 3,
        keepAliveIntervalMs: 30_000, baileysLogLevel: 'silent', outbound: new OutboundPolicy(), repairsPerSenderPerMinute: PER_MINUTE,
      },
      makeSocket: factory,
      store,
    }, { lastConnectedAt: null, lastCloseReason: null, proxyUrl: null, accountSignals: null });
    await session.start();
    sockets[0].ev.emit('connection.update', { connection: 'open' });
    await session.settled();
    assert.equal(session.state, 'open');

    const before = heap();
    for (let i = 0; i < STORM; i++) {
      const msg = { key: { remoteJid: '15550001111@s.whatsapp.net', id: `storm-${i}`, fromMe: false }, messageStubType: WAMessageStubType.CIPHERTEXT, messageStubParameters: ['Bad MAC'] };
      sockets[0].ev.emit('messages.upsert', { messages: [msg], type: 'notify' });
      if (i % 500 === 499) await session.settled(); // as a socket delivers them: a few at a time
    }
    await session.settled();
    const grown = heap() - before;

    assert.equal(session.stats().badMacErrors, STORM, 'every failure counted (the limits still apply)');
    assert.equal(failures, STORM);
    assert.equal(repairs, PER_MINUTE, `the sender's keys deleted ${PER_MINUTE} times in the minute, not ${STORM}`);
    assert.equal(stored, STORM, 'each failure stored as a session event');
    assert.equal(skipped, STORM - PER_MINUTE, 'the rest say the repair was skipped');
    assert.equal(session.state, 'open', 'the phone rode it out');
    assert.ok(grown < 8 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MB over the storm`);
    await session.shutdown();
  } finally {
    mock.timers.reset();
  }
});
