import crypto from 'node:crypto';

export const FAULT_TYPES = ['bad-mac', 'bad-decrypt', 'no-session', 'drop', 'logged-out', 'restart-required', 'conflict', 'silence', 'freeze', 'message', 'version', 'message-absent', 'stream-error', 'pn-lid-mismatch', 'invalid-prekey', 'duplicate', 'reachout-timelock', 'message-capping'] as const;
export type FaultType = (typeof FAULT_TYPES)[number];
/** The new-chat capping statuses WhatsApp announces (the `message-capping` fault). */
export const CAPPING_STATUSES = ['NONE', 'FIRST_WARNING', 'SECOND_WARNING', 'CAPPED'] as const;
export type CappingStatus = (typeof CAPPING_STATUSES)[number];

export interface FaultRequest {
  type: FaultType;
  count?: number;
  via?: 'pkmsg' | 'msg';
  /** contact JID or number; default DEFAULT_CONTACT */
  from?: string;
  text?: string;
  /** `message`: `lid` sends it from the contact's LID with its number as `sender_pn` (default: the contact's own addressing) */
  addressing?: Addressing;
  /** `stream-error`: the status code WhatsApp closes with (402, 403, 406 bans; 463 restriction; 405 version; 500…) */
  code?: number;
  /** `reachout-timelock`: the lock is set (default) or lifted (false) */
  active?: boolean;
  /** `reachout-timelock`: how long the lock lasts (default 3600 s) */
  seconds?: number;
  /** `message-capping`: the new-chat capping status WhatsApp announces */
  capping?: CappingStatus;
}

export interface PhoneInfo {
  phoneJid: string;
  paired: boolean;
  connections: number;
  /** times one of its devices had two live connections at the same moment (the older is replaced) */
  overlaps: number;
  lastSeenAt: string | null;
}

export interface ConnectionInfo {
  conn: number;
  /** set once the client logged in */
  phoneJid: string | null;
  deviceJid: string | null;
  loggedIn: boolean;
  /** the peer of the TCP connection: the client, or the proxy it came through */
  remoteAddress: string | null;
  remotePort: number | null;
  /** the WhatsApp Web version the client announced (a.b.c) */
  appVersion: string | null;
}

export interface SimEvent {
  seq: number;
  at: string;
  phoneJid?: string;
  type: string;
  detail?: unknown;
}

export const DEFAULT_CONTACT = '15550001111@s.whatsapp.net';

export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How WhatsApp addresses a contact: by its phone number, or by its LID (a privacy id, `…@lid`) since it was moved. */
export type Addressing = 'pn' | 'lid';
export const ADDRESSINGS = ['pn', 'lid'] as const;

/** A contact's LID: a stable number of its own derived from its phone number (the simulator's assignment). */
export function lidOf(pnJid: string): string {
  const digits = BigInt('0x' + crypto.createHash('sha256').update(pnJid.split('@')[0]).digest('hex').slice(0, 12)).toString().padStart(15, '0').slice(0, 15);
  return `${digits}@lid`;
}

export const isLidJid = (jid: string) => jid.endsWith('@lid');

/**
 * A paired phone's own LID, as the simulator announces it in pairing (`<pair-success><device lid>`,
 * with the device) and at login (`<success lid>`): its number at `@lid`. Unlike a contact's (lidOf)
 * it is not a separate number, so the messaging side reads a phone's LID back as its number.
 */
export const phoneLidOf = (phoneJid: string, device?: number) => `${phoneJid.split('@')[0].split(':')[0]}${device === undefined ? '' : `:${device}`}@lid`;

/** `77051234567`, `+7 705 123 45 67` or `77051234567@s.whatsapp.net` → `77051234567@s.whatsapp.net`. */
export function normalizeJid(input: string): string {
  const user = input.split('@')[0].split(':')[0].replace(/[^\d]/g, '');
  if (user.length < 5 || user.length > 20) throw new SimulatorError(400, `not a phone number or JID: ${input}`);
  return `${user}@s.whatsapp.net`;
}
