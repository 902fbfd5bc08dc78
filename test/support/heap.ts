// The heap in use after full collections, for tests that bound a process's memory under a flood.
// Unit tests run without --expose-gc, so the flag is set here and gc() taken from a fresh context.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
