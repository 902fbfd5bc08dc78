// Attributing "No matching sessions found for message" to its real cause.
//
// When a WhisperMessage ("msg") fails on every known Signal session, libsignal throws only the
// generic SessionError and prints the real causes (e.g. "Bad MAC") to console.error. To know the
// cause for sure, we wrap libsignal's SessionCipher.prototype.doDecryptWhisperMessage (the same
// module instance Baileys uses) and record each failure with the protocol address, in the async
// context of the socket that was decrypting. Each session runs its socket inside
// `runInSessionContext`, so the record lands in that session's own map — never another phone's.
//
// The same context keeps libsignal's console output out of stdout: it prints whole Signal session
// records ("Closing session: SessionEntry { … privKey … rootKey … }"), private keys included.
// Inside a session's context those lines go to the session's logger, text only, objects dropped.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as libsignal from 'libsignal';

export interface CauseSink {
  /** address like `15550001111.0` → the last error message libsignal saw for it */
  causes: Map<string, { message: string; at: number }>;
  /** Receives what libsignal (or anything else in the session's context) prints to the console. */
  onConsole?: (level: ConsoleLevel, text: string) => void;
}

type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';
const CONSOLE_LEVELS: ConsoleLevel[] = ['log', 'info', 'warn', 'error', 'debug'];

/** Console arguments as text without the contents of objects (they may hold key material). */
export function consoleText(args: unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'object' && a !== null ? `[${a.constructor?.name ?? 'object'}]` : String(a)))
    .join(' ')
    .slice(0, 500);
}

const context = new AsyncLocalStorage<CauseSink>();
const PATCHED = Symbol.for('wa-console.libsignal-cause-patch');

function patchLibsignal() {
  const g = globalThis as unknown as Record<symbol, boolean>;
  if (g[PATCHED]) return;
  // libsignal is an external package (next.config.mjs), so Baileys and we share one instance.
  const SessionCipher = libsignal.SessionCipher as unknown as { prototype: Record<string, unknown> };
  const original = SessionCipher.prototype.doDecryptWhisperMessage as (this: { addr: { toString(): string } }, ...args: unknown[]) => Promise<unknown>;
  SessionCipher.prototype.doDecryptWhisperMessage = async function (this: { addr: { toString(): string } }, ...args: unknown[]) {
    try {
      return await original.apply(this, args);
    } catch (err) {
      const sink = context.getStore();
      if (sink) sink.causes.set(this.addr.toString(), { message: String((err as Error)?.message ?? err), at: Date.now() });
      throw err;
    }
  };
  for (const level of CONSOLE_LEVELS) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      const sink = context.getStore();
      if (!sink) return original(...args);
      sink.onConsole?.(level, consoleText(args));
    };
  }
  g[PATCHED] = true;
}

export function runInSessionContext<T>(sink: CauseSink, fn: () => T): T {
  patchLibsignal();
  return context.run(sink, fn);
}

/** `15550001111@s.whatsapp.net` or `15550001111:2@s.whatsapp.net` → `15550001111.2`. */
export function signalAddressOf(jid: string): string {
  const [userPart] = jid.split('@');
  const [user, device] = userPart.split(':');
  return `${user}.${device ?? 0}`;
}

/** The recorded cause for a sender, if libsignal saw one in the last minute. */
export function takeCause(sink: CauseSink, senderJid: string): string | null {
  // Baileys 7 names a LID's Signal address `user_1.device` (domain type 1); 6.7 `user.device`.
  const plain = signalAddressOf(senderJid);
  const addresses = senderJid.endsWith('@lid') ? [plain.replace(/\.(\d+)$/, '_1.$1'), plain] : [plain];
  for (const address of addresses) {
    const hit = sink.causes.get(address);
    sink.causes.delete(address);
    if (hit && Date.now() - hit.at < 60_000) return hit.message;
  }
  return null;
}
