// Engine `baileys-6`: @whiskeysockets/baileys 6.7.24, the seed's client and the default.
// Phone-number addressing: Signal sessions live under `user.device`; a LID sender's other address
// arrives only as the stanza's sender_pn / participant_pn attributes (key.senderPn, participantPn).
import makeWASocket, { DEFAULT_CONNECTION_CONFIG } from '@whiskeysockets/baileys';
import { addressesOf, closeReasonOf } from './shared';
import type { Engine, MessageKeyLike, SenderAddresses, WaVersion } from './types';

const bundledVersion = [...DEFAULT_CONNECTION_CONFIG.version] as WaVersion;

export function senderAddresses6(key: MessageKeyLike): SenderAddresses {
  const sender = key.participant || key.remoteJid || null;
  const alt = key.participant ? (key.participantPn ?? key.participantLid) : (key.senderPn ?? key.senderLid);
  return addressesOf(sender, alt ?? null);
}

export const baileys6: Engine = {
  name: 'baileys-6',
  bundledVersion,
  extraKeyTypes: [],
  async makeSocket(config) {
    return makeWASocket(config);
  },
  closeReason: closeReasonOf,
  senderAddresses: senderAddresses6,
  // 6.7 has neither the reach-out time-lock nor message capping (Baileys 7.0.0-rc10 added them).
  watchAccountSignals() {},
};
