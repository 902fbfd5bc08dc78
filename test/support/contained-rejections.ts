// A test that runs sessions in its own process (pairing phones before it starts console nodes)
// meets what the console's process guard contains: rejections of queries Baileys starts and never
// awaits, failed once their socket closes (lib/sessions/process-guard.ts classifyRejection).
// node:test fails the running test on any unhandled rejection, so under load such a test failed
// at random ("Connection Closed" from Baileys' socket.js, seen in a run beside two CPU hogs).
// This applies the console's own rule: what the guard contains is counted, anything else fails.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { classifyRejection } from '../../lib/sessions/process-guard';

/** Call first in the test (node:test installs its own handler when the first test starts). */
export function containBaileysRejections(t: TestContext): void {
  const runnerHandlers = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  let contained = 0;
  const ours: unknown[] = [];
  const handler = (reason: unknown) => {
    if (classifyRejection(reason)) contained++;
    else ours.push(reason);
  };
  process.on('unhandledRejection', handler);
  t.after(() => {
    process.removeListener('unhandledRejection', handler);
    for (const h of runnerHandlers) process.on('unhandledRejection', h as (...args: unknown[]) => void);
    t.diagnostic(`Baileys-internal rejections contained: ${contained}`);
    assert.deepEqual(ours.map((r) => String((r as Error)?.stack ?? r)), [], 'no unhandled rejection but those the console contains');
  });
}
