// The process's last line for faults nobody caught. Baileys 6.7.24 (and libsignal under it) leaves
// a few promises unawaited; when one of those rejects, the fault belongs to one socket, which
// times out and reconnects on its own: those rejections, recognised precisely by what they say AND
// where they were raised (a stack frame inside the library), are contained and counted in
// `wa_console_contained_rejections_total{kind}`. Anything else is a bug whose state nobody knows:
// it is logged at fatal and the process exits non-zero, so a supervisor restarts it (safe: boot
// reopens the phones that were running).
import type { Logger } from '../logger';
import { containedRejections } from '../metrics';
import { CONTAINED_KINDS, type ContainedKind } from './contained-kinds';

const INSTALLED = Symbol.for('wa-console.process-guard');

export { CONTAINED_KINDS, type ContainedKind };

// A frame inside the library, either engine (6.7 as @whiskeysockets/baileys, 7 under the npm alias
// baileys7): its compiled lib/*.js, or src/*.ts when source maps are enabled.
const BAILEYS_DIR = '/node_modules/(?:@whiskeysockets/baileys|baileys7)/(?:lib|src)/';
const BAILEYS = new RegExp(BAILEYS_DIR);
const BAILEYS_FILE = (file: string) => new RegExp(`${BAILEYS_DIR}${file}\\.(js|ts):`);
// The ws client's frame writer. The console never writes to a WebSocket itself (only Baileys does,
// through `sendRawMessage`, which nobody awaits for receipts and keep-alives).
const WS_SENDER = /\/node_modules\/ws\/lib\/sender\.js:/;
const SOCKET_WRITE_CODES = new Set(['ECONNRESET', 'EPIPE']);
const NOISE_CRYPTO = BAILEYS_FILE('Utils/crypto');
const NOISE_HANDLER = BAILEYS_FILE('Utils/noise-handler');
const SESSION_CIPHER = /\/node_modules\/libsignal\/src\/session_cipher\.js:/;

/** The `at …` lines of a stack, with Windows separators normalised. */
function frames(stack: unknown): string[] {
  if (typeof stack !== 'string') return [];
  return stack
    .replace(/\\/g, '/')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('at '));
}

/** The first frame outside Node's own internals (where the error was raised in user-land code). */
function firstOwnFrame(stack: unknown): string {
  return frames(stack).find((f) => !/\(node:|^at node:|\(<anonymous>\)/.test(f)) ?? '';
}

// Baileys' socket re-throws its close reason (`lastDisconnect.error`) to whoever waits on the
// socket (waitForConnectionUpdate, bindWaitForEvent); these are the reasons it creates.
const SOCKET_END_MESSAGES = [
  /^Connection Terminated$/,
  /^Connection Terminated by Server$/,
  /^Connection was lost$/,
  /^Connection Failure$/,
  /^Stream Errored \(.*\)$/,
  /^WebSocket Error \(.*\)$/,
  /^QR refs attempts ended$/,
  /^Intentional Logout$/,
];

/**
 * Which known, harmless Baileys/libsignal rejection this is, or null for anything else.
 * Pure: looks only at the value (message, name, Boom status, stack frames).
 */
export function classifyRejection(reason: unknown): ContainedKind | null {
  // Baileys' waitForMessage rejects with the WebSocket 'close' event's first argument: a bare
  // close code. Nothing in the console rejects with a number.
  if (typeof reason === 'number') return Number.isInteger(reason) && reason >= 1000 && reason <= 4999 ? 'ws-close-code' : null;
  if (!(reason instanceof Error)) return null;
  const err = reason as Error & { isBoom?: boolean; output?: { statusCode?: number } };
  const first = firstOwnFrame(err.stack);
  if (err.isBoom) {
    if (!BAILEYS.test(first)) return null;
    const status = err.output?.statusCode;
    if (err.message === 'Connection Closed' && status === 428) return 'connection-closed';
    if (err.message === 'Timed Out' && status === 408) return 'timed-out';
    if (SOCKET_END_MESSAGES.some((re) => re.test(err.message))) return 'socket-ended';
    return null;
  }
  // The transport-key race: a frame decrypted with keys not derived yet fails AES-GCM's tag check
  // in Baileys' noise handler (aesDecryptGCM called from its decodeFrame).
  if (err.message === 'Unsupported state or unable to authenticate data') {
    return NOISE_CRYPTO.test(first) && frames(err.stack).some((f) => NOISE_HANDLER.test(f)) ? 'noise-decrypt' : null;
  }
  // A frame written to a socket the peer just reset: Baileys' sendRawMessage rejects with the write
  // error (its stack, cut at 10 frames, ends inside ws before it reaches Baileys).
  const sys = err as Error & { code?: string; syscall?: string };
  if (sys.syscall === 'write' && SOCKET_WRITE_CODES.has(sys.code ?? '')) {
    return frames(err.stack).some((f) => WS_SENDER.test(f)) ? 'socket-write' : null;
  }
  // libsignal's encrypt on a sender without a session, from a job Baileys does not await.
  if (err.name === 'SessionError' && err.message === 'No sessions') {
    return SESSION_CIPHER.test(first) ? 'no-sessions' : null;
  }
  return null;
}

export interface ProcessGuardOptions {
  /** How the process ends after an unknown fault (tests replace it). */
  exit?: (code: number) => void;
}

/** Exit code after an unknown fault (EX_SOFTWARE: internal software error). */
export const FATAL_EXIT_CODE = 70;

export function installProcessGuard(logger: Logger, options: ProcessGuardOptions = {}) {
  const g = globalThis as unknown as Record<symbol, boolean>;
  if (g[INSTALLED]) return;
  g[INSTALLED] = true;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const counter = containedRejections();
  let exiting = false;
  const fatal = (err: unknown, origin: 'unhandledRejection' | 'uncaughtException') => {
    logger.fatal({ err, origin }, 'unexpected fault: exiting so that a supervisor restarts the console (boot reopens the phones)');
    if (exiting) return;
    exiting = true;
    try {
      logger.flush?.();
    } catch {
      // nothing more to do
    }
    exit(FATAL_EXIT_CODE);
  };
  process.on('unhandledRejection', (reason) => {
    const kind = classifyRejection(reason);
    if (!kind) return fatal(reason, 'unhandledRejection');
    counter.inc({ kind });
    logger.debug({ kind, err: typeof reason === 'number' ? { closeCode: reason } : reason }, 'contained a rejection Baileys left unawaited');
  });
  process.on('uncaughtException', (err) => fatal(err, 'uncaughtException'));
}

/**
 * Baileys starts queries it does not await (retry receipts, pre-key uploads); when their socket
 * has closed they reject with "Connection Closed" (428). Expected after every drop: not an error.
 */
export function isClosedSocketQuery(reason: unknown): boolean {
  const boom = reason as { isBoom?: boolean; output?: { statusCode?: number }; message?: string } | null;
  return !!boom?.isBoom && boom.output?.statusCode === 428 && boom.message === 'Connection Closed';
}
