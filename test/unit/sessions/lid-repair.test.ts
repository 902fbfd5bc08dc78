// Issue 25.3 on engine 7: a Bad MAC from a contact WhatsApp addresses by its LID (the number in
// `remoteJidAlt`, as Baileys 7 gives it) repairs the sender's Signal sessions under both
// addresses, and the decryption event (stream and stored) carries both. A fake socket drives
// the phone's Session; no network, no database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { WAMessageStubType } from '@whiskeysockets/baileys';
import { OutboundPolicy } from '../../../lib/http/outbound-guard';
import { Session } from '../../../lib/sessions/session';
import { EventBus } from '../../../lib/sessions/events';
import type { SessionEngineEvent } from '../../../lib/sessions/types';
import { fakeSocketFactory, memoryStore } from '../../support/fake-session';

const LID = '123456789012345@lid';
const PN = '15550001111@s.whatsapp.net';

test('baileys-7: a Bad MAC from a LID sender deletes its sessions under the LID and the number; the event names both', async () => {
  const { factory, sockets } = fakeSocketFactory();
  const store = memoryStore();
  const deleted: string[] = [];
  store.deleteSenderSessions = async (_id, user) => (deleted.push(user), 1);
  const details: unknown[] = [];
  store.writeSession = async (_id, writes) => {
    for (const w of writes) if (w.kind === 'event' && w.data.type === 'decrypt:bad-mac') details.push(JSON.parse(w.data.detail ?? 'null'));
  };
  const bus = new EventBus();
  const events: SessionEngineEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const session = new Session(1, 1, '15550009999@s.whatsapp.net', {
    db: {} as never,
    logger: pino({ level: 'silent' }),
    bus,
    settings: { waWebSocketUrl: 'ws://unused', limits: { maxBadMacErrors: 3, maxBadDecryptErrors: 5 }, reconnectBaseMs: 1000, reconnectMaxMs: 8000, reconnectMaxAttempts: 3, keepAliveIntervalMs: 30_000, baileysLogLevel: 'silent', outbound: new OutboundPolicy() },
    makeSocket: factory,
    store,
  }, { lastConnectedAt: null, lastCloseReason: null, proxyUrl: null, engine: 'baileys-7', accountSignals: null });
  await session.start();
  sockets[0].ev.emit('connection.update', { connection: 'open' });
  await session.settled();

  sockets[0].ev.emit('messages.upsert', { type: 'notify', messages: [{ key: { remoteJid: LID, remoteJidAlt: PN, id: 'm1', fromMe: false }, messageStubType: WAMessageStubType.CIPHERTEXT, messageStubParameters: ['Bad MAC'] }] });
  await session.settled();

  assert.deepEqual(deleted.sort(), ['123456789012345', '15550001111'], 'both addresses repaired');
  const failure = events.find((e) => e.type === 'decrypt-failure');
  assert.ok(failure && failure.type === 'decrypt-failure');
  assert.deepEqual([failure.kind, failure.count, failure.deletedKeys], ['bad-mac', 1, 2]);
  assert.deepEqual([failure.sender, failure.senderPn, failure.senderLid], [LID, PN, LID], 'the stream event carries both addresses');
  assert.deepEqual(details, [{ max: 3, deletedKeys: 2, senderPn: PN, senderLid: LID }], 'so does the stored event');
  await session.shutdown();
});
