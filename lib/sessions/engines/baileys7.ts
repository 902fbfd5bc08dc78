// Engine `baileys-7`: @whiskeysockets/baileys 7.0.0-rc14 (npm alias `baileys7`). LID addressing:
// message keys carry remoteJidAlt / participantAlt, the auth state adds `lid-mapping`,
// `device-list`, `tctoken` and `identity-key` keys (stored, fenced and batched by the generic
// store like any other type), and a contact's Signal sessions move to its LID once it is known.
//
// Baileys 7 is an ES module whose dependency whatsapp-rust-bridge exports only an `import`
// condition, so it is loaded with a dynamic import (never `require`), once per process.
import { closeReasonOf, addressesOf } from './shared';
import { trustSimulatorRoot } from './simulator-trust';
import type { Engine, EngineSocket, MessageKeyLike, SocketConfig, WaVersion } from './types';
import type { WhatsAppCloseReason } from '../reasons';
import { cappingSignal, reachoutSignal } from '../account-signals';

type Baileys7 = typeof import('baileys7');
let loaded: Promise<Baileys7> | null = null;
/** The package, loaded once (tests read its constants through this). */
export const loadBaileys7 = () => (loaded ??= import('baileys7'));

/** rc14's bundled WhatsApp Web version (Defaults/index.js); a unit test checks it against the package. */
const bundledVersion: WaVersion = [2, 3000, 1043857760];

/**
 * Baileys 7 reports WhatsApp's restriction (463, "account restricted", recovered from since rc10)
 * in the error's text as well as its status: a text that says so is `restricted` whatever the code.
 */
export function closeReason7(status: number | undefined, detail: string, sentVersion: WaVersion): WhatsAppCloseReason {
  const why = closeReasonOf(status, detail, sentVersion);
  if (why.code === 'unknown' && /restrict/i.test(detail)) return { code: 'restricted', params: why.params };
  return why;
}

export const baileys7: Engine = {
  name: 'baileys-7',
  bundledVersion,
  extraKeyTypes: ['lid-mapping', 'device-list', 'tctoken', 'identity-key'],
  async makeSocket(config: SocketConfig, opts) {
    const b7 = await loadBaileys7();
    if (opts.trustSimulatorRoot) trustSimulatorRoot(b7.WA_CERT_DETAILS as unknown as { PUBLIC_KEY: Uint8Array; SERIAL: number }, String(config.waWebSocketUrl));
    const make = b7.makeWASocket as unknown as (c: SocketConfig) => EngineSocket;
    return make(config);
  },
  closeReason: closeReason7,
  senderAddresses(key: MessageKeyLike) {
    const sender = key.participant || key.remoteJid || null;
    const alt = key.participant ? key.participantAlt : key.remoteJidAlt;
    return addressesOf(sender, alt ?? null);
  },
  // rc10+: `connection.update.reachoutTimeLock` (a mex notification, or fetched after an ack with
  // the time-lock error) and `message-capping.update` (NewChatMessageCapInfo).
  watchAccountSignals(sock, onSignal) {
    const ev = sock.ev as unknown as { on(event: string, listener: (data: unknown) => void): void };
    ev.on('connection.update', (update) => {
      const signal = reachoutSignal((update as { reachoutTimeLock?: unknown }).reachoutTimeLock);
      if (signal) onSignal(signal);
    });
    ev.on('message-capping.update', (payload) => {
      const signal = cappingSignal(payload);
      if (signal) onSignal(signal);
    });
  },
};
