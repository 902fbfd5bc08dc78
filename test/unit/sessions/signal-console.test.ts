import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleText, runInSessionContext } from '../../../lib/sessions/signal-causes';

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
