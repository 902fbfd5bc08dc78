import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleText, runInSessionContext, takeCause } from '../../../lib/sessions/signal-causes';

test("libsignal's console lines inside a session go to that session, without the key material", async () => {
  const lines: [string, string][] = [];
  const sink = { causes: new Map(), onConsole: (level: string, text: string) => lines.push([level, text]) };
  const record = { currentRatchet: { ephemeralKeyPair: { privKey: Buffer.alloc(32, 7) } }, rootKey: Buffer.alloc(32, 9) };
  await runInSessionContext(sink, async () => {
    await new Promise((r) => setImmediate(r)); // later callbacks keep the context, as socket events do
    console.info('Closing session:', record);
    console.error('Session error:' + new Error('Bad MAC'), new Error('Bad MAC'));
  });
  assert.deepEqual(lines, [
    ['info', 'Closing session: [Object]'],
    ['error', 'Session error:Error: Bad MAC Error: Bad MAC'],
  ]);
  assert.ok(!lines.some(([, text]) => /privKey|rootKey/.test(text)));
});

test('console output outside any session context is untouched', () => {
  runInSessionContext({ causes: new Map() }, () => {}); // the console patch is in place
  const seen: unknown[][] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (seen.push([chunk]), true)) as typeof process.stdout.write;
  try {
    console.log('plain line');
  } finally {
    process.stdout.write = original;
  }
  assert.ok(seen.some(([c]) => String(c).includes('plain line')));
});

test('consoleText keeps strings and error messages, drops object contents, caps length', () => {
  assert.equal(consoleText(['a', 1, null, new TypeError('x'), { secret: 1 }]), 'a 1 null TypeError: x [Object]');
  assert.equal(consoleText(['y'.repeat(2000)]).length, 500);
});

test("a cause is found at the sender's Signal address: a number's `user.device`, a LID's `user_1.device` on Baileys 7 or `user.device` on 6.7; taken once", () => {
  const at = Date.now();
  const sink = { causes: new Map([['15550001111.0', { message: 'Bad MAC', at }], ['123456789012345_1.0', { message: 'Bad MAC (7)', at }], ['223456789012345.2', { message: 'Bad MAC (6.7)', at }]]) };
  assert.equal(takeCause(sink, '15550001111@s.whatsapp.net'), 'Bad MAC');
  assert.equal(takeCause(sink, '15550001111@s.whatsapp.net'), null, 'taken');
  assert.equal(takeCause(sink, '123456789012345@lid'), 'Bad MAC (7)');
  assert.equal(takeCause(sink, '223456789012345:2@lid'), 'Bad MAC (6.7)');
  sink.causes.set('15550001111.0', { message: 'old', at: at - 61_000 });
  assert.equal(takeCause(sink, '15550001111@s.whatsapp.net'), null, 'older than a minute');
});
