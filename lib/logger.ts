// pino, JSON lines (or readable lines with LOG_FORMAT=pretty), with secrets redacted wherever they
// may appear in a log object.
import pino from 'pino';
import { getConfig } from './config';
import { prettyDestination } from './log-format';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'tokenHash',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'cookie',
  '*.cookie',
  'secret',
  '*.secret',
  'creds',
  '*.creds',
  'keys',
  '*.keys',
  'privKey',
  '*.privKey',
  '*.*.privKey',
  'noiseKey',
  'signedIdentityKey',
  'signedPreKey',
  'advSecretKey',
  'qr',
  '*.qr',
  'pairingCode',
  '*.pairingCode',
  // a phone's proxy URL may carry a password: log proxyHost instead
  'proxyUrl',
  '*.proxyUrl',
  // message content (bodies, captions, media bytes) is never logged: log ids; these catch a slip
  'body',
  '*.body',
  'caption',
  '*.caption',
  'mediaData',
  '*.mediaData',
  'conversation',
  '*.conversation',
];

const holder = globalThis as unknown as { __consoleLogger?: pino.Logger };

/**
 * A child's binding replaces its parent's of the same name. pino appends a child's bindings to the
 * parent's as JSON text, so `log.child({ module: 'a' }).child({ module: 'b' })` would write
 * `"module":"a","module":"b"` on every line; collectors then keep either. JSON.parse keeps the last.
 */
function lastBindingWins(child: pino.Logger): void {
  const bag = child as unknown as Record<symbol, unknown>;
  const raw = bag[pino.symbols.chindingsSym];
  if (typeof raw !== 'string' || !raw.startsWith(',')) return;
  try {
    bag[pino.symbols.chindingsSym] = `,${JSON.stringify(JSON.parse(`{${raw.slice(1)}}`)).slice(1, -1)}`;
  } catch {
    // not plain JSON members: leave pino's text as it is
  }
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): pino.Logger {
  return pino(
    {
      level: options.level ?? getConfig().LOG_LEVEL,
      base: { app: 'wa-console' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      onChild: lastBindingWins,
    },
    options.destination ?? (getConfig().LOG_FORMAT === 'pretty' ? prettyDestination() : undefined),
  );
}

/** The process logger (one per process, shared across route bundles). */
export function getLogger(): pino.Logger {
  holder.__consoleLogger ??= createLogger();
  return holder.__consoleLogger;
}

export type Logger = pino.Logger;
