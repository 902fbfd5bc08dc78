// The process guard's classifier: only the rejections Baileys 6.7.24 / libsignal are known to leave
// unawaited (right message AND raised inside the library) are contained; anything else is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Boom } from '@hapi/boom';
import { classifyRejection } from '../../../lib/sessions/process-guard';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BAILEYS = path.join(ROOT, 'node_modules/@whiskeysockets/baileys/lib');
const BAILEYS7 = path.join(ROOT, 'node_modules/baileys7/lib');
const WS_SENDER = path.join(ROOT, 'node_modules/ws/lib/sender.js');
const LIBSIGNAL = path.join(ROOT, 'node_modules/libsignal/src');
const OURS = path.join(ROOT, 'lib/sessions/session.ts');

/** An error with the given message and a stack whose frames are the given file locations. */
function withStack<E extends Error>(err: E, ...locations: string[]): E {
  err.stack = `${err.name}: ${err.message}\n` + locations.map((l, i) => `    at fn${i} (${l})`).join('\n');
  return err;
}

const boom = (message: string, statusCode: number, ...locations: string[]) => withStack(new Boom(message, { statusCode }), ...locations);

test('Baileys "Connection Closed" (428) raised in its socket is contained', () => {
  assert.equal(classifyRejection(boom('Connection Closed', 428, `${BAILEYS}/Socket/socket.js:56:19`, `${BAILEYS}/Socket/messages-recv.js:10:3`)), 'connection-closed');
});

test('the same message raised in our code, or with another status, is not', () => {
  assert.equal(classifyRejection(boom('Connection Closed', 428, `${OURS}:10:5`, `${BAILEYS}/Socket/socket.js:56:19`)), null);
  assert.equal(classifyRejection(boom('Connection Closed', 500, `${BAILEYS}/Socket/socket.js:56:19`)), null);
  assert.equal(classifyRejection(withStack(new Error('Connection Closed'), `${BAILEYS}/Socket/socket.js:56:19`)), null, 'not a Boom');
});

test("the socket's close reasons re-thrown to its waiters, and query time-outs, are contained", () => {
  for (const message of ['Connection Terminated', 'Connection was lost', 'Stream Errored (conflict)', 'Connection Failure', 'WebSocket Error (connect ECONNREFUSED 127.0.0.1:1)']) {
    assert.equal(classifyRejection(boom(message, 428, `${BAILEYS}/Socket/socket.js:445:40`)), 'socket-ended', message);
  }
  assert.equal(classifyRejection(boom('Timed Out', 408, `${BAILEYS}/Utils/generics.js:131:31`)), 'timed-out');
  assert.equal(classifyRejection(boom('Something else', 428, `${BAILEYS}/Socket/socket.js:1:1`)), null);
});

test('a bare WebSocket close code (Baileys waitForMessage) is contained; other numbers are not', () => {
  assert.equal(classifyRejection(1006), 'ws-close-code');
  assert.equal(classifyRejection(4000), 'ws-close-code');
  assert.equal(classifyRejection(42), null);
  assert.equal(classifyRejection(1006.5), null);
});

test("the noise handler's AES-GCM failure (transport-key race) is contained only from there", () => {
  const message = 'Unsupported state or unable to authenticate data';
  const real = withStack(new Error(message), 'node:internal/crypto/cipher:193:29', `${BAILEYS}/Utils/crypto.js:61:71`, `${BAILEYS}/Utils/noise-handler.js:28:24`, `${BAILEYS}/Utils/noise-handler.js:136:36`);
  real.stack = real.stack!.replace('at fn0 (node:internal/crypto/cipher:193:29)', 'at Decipheriv.final (node:internal/crypto/cipher:193:29)');
  assert.equal(classifyRejection(real), 'noise-decrypt');
  assert.equal(classifyRejection(withStack(new Error(message), 'node:internal/crypto/cipher:193:29', `${OURS}:5:5`)), null, 'our own decipher');
  assert.equal(classifyRejection(withStack(new Error(message), `${BAILEYS}/Utils/crypto.js:61:71`, `${BAILEYS}/Utils/messages-media.js:1:1`)), null, 'media, not the noise handler');
});

test("libsignal's 'No sessions' is contained only from its session cipher", () => {
  class SessionError extends Error {
    constructor(message: string) {
      super(message);
      this.name = 'SessionError';
    }
  }
  assert.equal(classifyRejection(withStack(new SessionError('No sessions'), `${LIBSIGNAL}/session_cipher.js:71:23`, `${LIBSIGNAL}/queue_job.js:12:5`)), 'no-sessions');
  assert.equal(classifyRejection(withStack(new SessionError('No sessions'), `${OURS}:1:1`)), null);
  assert.equal(classifyRejection(withStack(new Error('No sessions'), `${LIBSIGNAL}/session_cipher.js:71:23`)), null, 'not a SessionError');
});

test('a genuine libsignal rejection (encrypt without a session) is recognised', async () => {
  const { SessionCipher, ProtocolAddress } = (await import('libsignal')) as unknown as {
    SessionCipher: new (storage: unknown, address: unknown) => { encrypt(data: Buffer): Promise<unknown> };
    ProtocolAddress: new (id: string, device: number) => unknown;
  };
  const storage = { getOurIdentity: async () => ({ pubKey: Buffer.alloc(33), privKey: Buffer.alloc(32) }), loadSession: async () => undefined };
  const err = await new SessionCipher(storage, new ProtocolAddress('15550001111', 0)).encrypt(Buffer.from('x')).then(
    () => assert.fail('encrypt without a session must reject'),
    (e: unknown) => e,
  );
  assert.equal(classifyRejection(err), 'no-sessions');
});

test('a genuine Baileys query time-out is recognised', async () => {
  const { promiseTimeout } = (await import('@whiskeysockets/baileys')) as unknown as {
    promiseTimeout: (ms: number, executor: (resolve: () => void, reject: (e: unknown) => void) => void) => Promise<void>;
  };
  const err = await promiseTimeout(1, () => {}).then(() => assert.fail('must time out'), (e: unknown) => e);
  assert.equal(classifyRejection(err), 'timed-out');
});

test('source-mapped Baileys frames (src/*.ts) count as Baileys', () => {
  const src = path.join(ROOT, 'node_modules/@whiskeysockets/baileys/src');
  assert.equal(classifyRejection(boom('Connection Closed', 428, `${src}/Socket/socket.ts:80:10`)), 'connection-closed');
  const noise = withStack(new Error('Unsupported state or unable to authenticate data'), `${src}/Utils/crypto.ts:70:3`, `${src}/Utils/noise-handler.ts:40:2`);
  assert.equal(classifyRejection(noise), 'noise-decrypt');
});

test('anything else is not contained', () => {
  for (const reason of [new Error('boom'), new TypeError("Cannot read properties of undefined (reading 'id')"), 'a string', undefined, null, { message: 'Connection Closed', isBoom: true, output: { statusCode: 428 } }]) {
    assert.equal(classifyRejection(reason), null, String(reason));
  }
});

test('the same rejections from the Baileys 7 engine (npm alias baileys7) are contained', () => {
  assert.equal(classifyRejection(boom('Connection Closed', 428, `${BAILEYS7}/Socket/socket.js:60:19`)), 'connection-closed');
  assert.equal(classifyRejection(boom('Timed Out', 408, `${BAILEYS7}/Utils/generics.js:131:31`)), 'timed-out');
});

/** A write error as Node raises it: code and syscall set, the stack cut inside ws (10 frames). */
function writeError(code: string, ...locations: string[]) {
  const err = withStack(Object.assign(new Error(`write ${code}`), { code, errno: -104, syscall: 'write' }), 'node:internal/stream_base_commons:161:15', ...locations);
  return err;
}

test('a socket write reset under the ws sender (Baileys sendRawMessage) is contained; elsewhere it is not', () => {
  assert.equal(classifyRejection(writeError('ECONNRESET', 'node:net:958:11', `${WS_SENDER}:565:20`, `${WS_SENDER}:407:12`)), 'socket-write');
  assert.equal(classifyRejection(writeError('EPIPE', `${WS_SENDER}:565:20`)), 'socket-write');
  assert.equal(classifyRejection(writeError('ECONNRESET', 'node:net:958:11', `${OURS}:3:3`)), null, 'our own socket write');
  assert.equal(classifyRejection(writeError('ENOSPC', `${WS_SENDER}:565:20`)), null, 'another error code');
  const read = Object.assign(writeError('ECONNRESET', `${WS_SENDER}:565:20`), { syscall: 'read' });
  assert.equal(classifyRejection(read), null, 'not a write');
});
