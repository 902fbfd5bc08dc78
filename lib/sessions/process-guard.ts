// Baileys can reject promises nobody awaits (e.g. a frame that arrives before its transport keys
// are derived). Such a fault must end one session at worst, never the process and every other
// session: log it and keep running.
import type { Logger } from '../logger';

const INSTALLED = Symbol.for('wa-console.process-guard');

export function installProcessGuard(logger: Logger) {
  const g = globalThis as unknown as Record<symbol, boolean>;
  if (g[INSTALLED]) return;
  g[INSTALLED] = true;
  process.on('unhandledRejection', (reason) => {
    if (isClosedSocketQuery(reason)) {
      logger.debug({ err: reason }, 'a Baileys query ended with its closed socket');
      return;
    }
    logger.error({ err: reason }, 'unhandled rejection (from a socket); the process keeps running');
  });
  process.on('uncaughtException', (err) => {
    logger.error({ err }, 'uncaught exception (from a socket); the process keeps running');
  });
}

/**
 * Baileys starts queries it does not await (retry receipts, pre-key uploads); when their socket
 * has closed they reject with "Connection Closed" (428). Expected after every drop: not an error.
 */
export function isClosedSocketQuery(reason: unknown): boolean {
  const boom = reason as { isBoom?: boolean; output?: { statusCode?: number }; message?: string } | null;
  return !!boom?.isBoom && boom.output?.statusCode === 428 && boom.message === 'Connection Closed';
}
