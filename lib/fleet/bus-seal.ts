// The fleet bus's envelope: every message is encrypted (AES-256-CTR) and authenticated
// (HMAC-SHA256 over the channel and the whole sealed message) with keys derived from the fleet's
// shared key (FLEET_BUS_KEY), and carries a unique id and its sender's time, so a message forged,
// altered, sent to another channel, replayed or too old is refused. Anyone who can only NOTIFY on
// the database (a role with CONNECT) can neither command a node nor read what the bus carries
// (QR strings and pairing codes included). Pure code: no I/O, so it is unit-tested directly.
import crypto from 'node:crypto';

export const SEAL_VERSION = 'f1';

/** Why a bus message was dropped (the label of wa_fleet_bus_dropped_total). */
export const DROP_REASONS = ['malformed', 'bad_mac', 'stale', 'future', 'replayed', 'invalid'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export class BusDrop extends Error {
  constructor(readonly reason: DropReason) {
    super(`fleet bus message dropped: ${reason}`);
  }
}

interface DerivedKey {
  enc: Buffer;
  mac: Buffer;
}

const derive = (secret: string): DerivedKey => {
  const ikm = Buffer.from(secret, 'utf8');
  const okm = (info: string) => Buffer.from(crypto.hkdfSync('sha256', ikm, Buffer.alloc(0), info, 32));
  return { enc: okm('wa-console fleet bus enc v1'), mac: okm('wa-console fleet bus mac v1') };
};

/** Random key for a node that has none configured (a fleet of one: nobody else can talk to it). */
export const randomBusKey = () => crypto.randomBytes(32).toString('base64url');

export interface SealOptions {
  /** the key messages are sealed with */
  current: string;
  /** an older key still accepted while a rotation is rolled out */
  previous?: string;
  /** how old (or how far in the future, for clocks that differ) a message may be */
  windowMs: number;
  now?: () => number;
}

/** What the bus carries inside the envelope. */
export interface Opened {
  id: string;
  ts: number;
  body: unknown;
}

/**
 * Seals and opens bus messages; remembers the ids seen within the window so a replay is refused.
 * Wire form: `f1.<iv b64url>.<ciphertext b64url>.<mac b64url>`, the MAC over `<channel>\nf1.<iv>.<ct>`.
 */
export class BusSeal {
  private readonly keys: DerivedKey[];
  private readonly now: () => number;
  /** id → time it stops mattering (its message would be refused as stale after that) */
  private seen = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly opts: SealOptions) {
    this.keys = [derive(opts.current), ...(opts.previous ? [derive(opts.previous)] : [])];
    this.now = opts.now ?? Date.now;
  }

  /** The NOTIFY payload for `body` on `channel`. */
  seal(channel: string, body: unknown): string {
    const key = this.keys[0];
    const iv = crypto.randomBytes(16);
    const plain = JSON.stringify({ id: crypto.randomUUID(), ts: this.now(), body });
    const cipher = crypto.createCipheriv('aes-256-ctr', key.enc, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const head = `${SEAL_VERSION}.${iv.toString('base64url')}.${ct.toString('base64url')}`;
    return `${head}.${this.mac(key, channel, head).toString('base64url')}`;
  }

  private mac(key: DerivedKey, channel: string, head: string) {
    return crypto.createHmac('sha256', key.mac).update(`${channel}\n${head}`).digest();
  }

  /** Opens a payload received on `channel`; throws BusDrop (never anything else) when refused. */
  open(channel: string, payload: string): Opened {
    const parts = payload.split('.');
    if (parts.length !== 4 || parts[0] !== SEAL_VERSION) throw new BusDrop('malformed');
    const head = parts.slice(0, 3).join('.');
    const given = Buffer.from(parts[3], 'base64url');
    const key = this.keys.find((k) => {
      const want = this.mac(k, channel, head);
      return given.length === want.length && crypto.timingSafeEqual(given, want);
    });
    if (!key) throw new BusDrop('bad_mac');
    let opened: Opened;
    try {
      const decipher = crypto.createDecipheriv('aes-256-ctr', key.enc, Buffer.from(parts[1], 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(parts[2], 'base64url')), decipher.final()]).toString('utf8');
      opened = JSON.parse(plain) as Opened;
    } catch {
      throw new BusDrop('malformed');
    }
    if (!opened || typeof opened.id !== 'string' || typeof opened.ts !== 'number' || !Number.isFinite(opened.ts)) throw new BusDrop('malformed');
    const now = this.now();
    if (opened.ts < now - this.opts.windowMs) throw new BusDrop('stale');
    if (opened.ts > now + this.opts.windowMs) throw new BusDrop('future');
    this.sweep(now);
    if (this.seen.has(opened.id)) throw new BusDrop('replayed');
    // Remembered until the message itself would be refused as stale.
    this.seen.set(opened.id, opened.ts + this.opts.windowMs);
    return opened;
  }

  private sweep(now: number) {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [id, until] of this.seen) if (until < now) this.seen.delete(id);
  }
}
