// One interface, two WhatsApp Web clients. The session (session.ts) codes against `Engine`; what
// differs between Baileys 6.7 and 7 (how a socket is made, the key types it stores, the shape of a
// sender's addresses, how a close is reported) lives in one module per engine.
import type makeWASocket from '@whiskeysockets/baileys';
import type { WASocket } from '@whiskeysockets/baileys';
import type { WhatsAppCloseReason } from '../reasons';
import type { AccountSignal } from '../account-signals';

export const ENGINE_NAMES = ['baileys-6', 'baileys-7'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
/** The Baileys release behind each engine, as the add form and the phone page name it. */
export const ENGINE_CLIENTS: Record<EngineName, string> = { 'baileys-6': 'Baileys 6.7.24', 'baileys-7': 'Baileys 7.0.0-rc14' };
/** The seed's client, and every phone's engine unless DEFAULT_ENGINE or the phone says otherwise. */
export const FALLBACK_ENGINE: EngineName = 'baileys-6';

export const isEngineName = (value: unknown): value is EngineName => typeof value === 'string' && (ENGINE_NAMES as readonly string[]).includes(value);

/** A WhatsApp Web version, as Baileys takes it. */
export type WaVersion = [number, number, number];
export const versionText = (v: readonly number[]) => v.join('.');

/** The socket config, typed with 6.7's declarations; Baileys 7 takes the same fields for what the console sets. */
export type SocketConfig = Parameters<typeof makeWASocket>[0];

/**
 * A phone's socket, typed with 6.7's declarations (the seed's `getBaileysSock` contract). Baileys
 * 7's socket has the same members with the same meaning for what the console uses (events
 * `connection.update`, `creds.update`, `messages.upsert`; `end`, `logout`, `requestPairingCode`,
 * `sendMessage`, `query`, `user`, `ws`); its message keys add the `…Alt` addresses.
 */
export type EngineSocket = WASocket;

/** Both addresses of a message's sender, as far as the engine knows them. */
export interface SenderAddresses {
  /** the JID the message came under (what Baileys decrypted with) */
  sender: string | null;
  /** phone-number JID (…@s.whatsapp.net), if known */
  pn: string | null;
  /** LID (…@lid), if known */
  lid: string | null;
}

/** A received message key: 6.7 has remoteJid/participant (and senderPn/senderLid from the stanza); 7 adds the `…Alt` addresses. */
export interface MessageKeyLike {
  remoteJid?: string | null;
  participant?: string | null;
  remoteJidAlt?: string | null;
  participantAlt?: string | null;
  senderPn?: string | null;
  senderLid?: string | null;
  participantPn?: string | null;
  participantLid?: string | null;
}

export interface Engine {
  readonly name: EngineName;
  /** the WhatsApp Web version the package ships with (announced unless WA_VERSION pins another) */
  readonly bundledVersion: WaVersion;
  /** auth-state key types this engine stores beyond 6.7's (docs, tests) */
  readonly extraKeyTypes: readonly string[];
  /** Makes a socket (`trustSimulatorRoot`: simulator mode, see simulator-trust.ts). */
  makeSocket(config: SocketConfig, opts: { trustSimulatorRoot: boolean }): Promise<EngineSocket>;
  /** Pure: the catalogue reason (reasons.ts) of a close, with the version the console sent (for a 405). */
  closeReason(status: number | undefined, detail: string, sentVersion: WaVersion): WhatsAppCloseReason;
  /** Pure: the sender's addresses from a received message's key. */
  senderAddresses(key: MessageKeyLike): SenderAddresses;
  /** Calls `onSignal` with what WhatsApp tells the account about its standing (account-signals.ts); 6.7 reports nothing. */
  watchAccountSignals(sock: EngineSocket, onSignal: (signal: AccountSignal) => void): void;
}
