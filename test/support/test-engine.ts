// The engine matrix's switch, for the engine harness and for consoles a test starts.
import { isEngineName, type EngineName } from '../../lib/sessions/engines/types';

/**
 * The engine a test's phones run on when the test names none: TEST_ENGINE (the engine matrix,
 * `npm run test:int:baileys-7`, docs/testing.md), else the product's default. Tests that are
 * about one engine name it and are not moved.
 */
export function testEngine(): EngineName | undefined {
  const named = process.env.TEST_ENGINE;
  if (!named) return undefined;
  if (!isEngineName(named)) throw new Error(`TEST_ENGINE=${named}: not an engine (baileys-6 | baileys-7)`);
  return named;
}
