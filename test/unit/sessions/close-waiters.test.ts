import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import type { WASocket } from '@whiskeysockets/baileys';
import { trackCloseWaiters } from '../../../lib/sessions/close-waiters';
import { isClosedSocketQuery } from '../../../lib/sessions/process-guard';

test("waiters for a socket's close are called once it is gone, also those that come late", async () => {
  const ws = new EventEmitter();
  const waiters = trackCloseWaiters({ ws } as unknown as WASocket);
  const calls: string[] = [];
  const before = () => calls.push('before');
  const removed = () => calls.push('removed');
  ws.on('close', before);
  ws.on('close', removed);
  ws.off('close', removed);
  ws.on('message', () => calls.push('message'));
  assert.equal(waiters.pending, 1);
  ws.removeAllListeners('close'); // what Baileys' end() does instead of calling them
  waiters.release();
  ws.on('close', () => calls.push('late'));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls.sort(), ['before', 'late']);
  assert.equal(waiters.pending, 0);
  ws.emit('message');
  assert.deepEqual(calls.sort(), ['before', 'late', 'message'], 'other events are untouched');
});

test('before release, close listeners behave as usual', async () => {
  const ws = new EventEmitter();
  trackCloseWaiters({ ws } as unknown as WASocket);
  const closed = once(ws, 'close');
  ws.emit('close', 1006);
  assert.deepEqual(await closed, [1006]);
});

test("the process guard treats Baileys' closed-socket query failures as expected", () => {
  assert.equal(isClosedSocketQuery({ isBoom: true, message: 'Connection Closed', output: { statusCode: 428 } }), true);
  assert.equal(isClosedSocketQuery({ isBoom: true, message: 'Timed Out', output: { statusCode: 408 } }), false);
  assert.equal(isClosedSocketQuery(new Error('Connection Closed')), false);
  assert.equal(isClosedSocketQuery(undefined), false);
});
