// Simulated contacts: real Signal peers (npm libsignal) that send a phone's linked device
// messages built on the bundle the device registered or uploaded, plus deliberately broken ones.
import crypto from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as libsignal from 'libsignal';
import * as protobufs from 'libsignal/src/protobufs';
import { proto } from '@whiskeysockets/baileys';

/** The device's public keys, as registered (pairing) or uploaded (pre-key upload). */
export interface DeviceBundle {
  registrationId: number;
  identityKey: Buffer; // 32 bytes, without the 0x05 prefix
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKeys: { keyId: number; publicKey: Buffer }[];
}

/**
 * A one-time pre-key id no device publishes: Baileys numbers its pre-keys up from 1 (a few hundred
 * per upload) and the id is 24 bits on the wire, so the largest one is never reached.
 */
export const NEVER_PUBLISHED_PREKEY_ID = 0xffffff;

const withPrefix = (key: Buffer) => (key.length === 33 ? key : Buffer.concat([Buffer.from([5]), key]));

/** Blocks of AES-CBC ciphertext whose padding is invalid under the given key and IV. */
function badPaddingCiphertext(key: Buffer, iv: Buffer): Buffer {
  const plain = crypto.randomBytes(32);
  plain[31] = 0; // a zero pad byte is never valid PKCS#7
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

// libsignal computes the ciphertext inside SessionCipher.encrypt; to send "valid MAC over a
// garbage body" we recognise our own marker plaintexts and return bad-padding ciphertext instead.
const garbageMarkers = new WeakSet<Buffer>();
const realEncrypt = libsignal.crypto.encrypt;
libsignal.crypto.encrypt = (key: Buffer, data: Buffer, iv: Buffer) =>
  garbageMarkers.has(data) ? badPaddingCiphertext(key, iv) : realEncrypt(key, data, iv);

// libsignal prints whole session records (keys included) whenever it opens or closes a session,
// which the contacts do all the time. Inside their own calls that output is dropped.
const quiet = new AsyncLocalStorage<true>();
const QUIET_PATCH = Symbol.for('wa-simulator.quiet-libsignal');
if (!(globalThis as Record<symbol, unknown>)[QUIET_PATCH]) {
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => (quiet.getStore() ? undefined : original(...args));
  }
  (globalThis as Record<symbol, unknown>)[QUIET_PATCH] = true;
}
const quietly = <T>(fn: () => Promise<T>): Promise<T> => quiet.run(true, fn);

/** Plaintext of a WhatsApp message: proto.Message padded the way Baileys unpads it. */
function messagePlaintext(text: string | proto.IMessage): Buffer {
  const body = Buffer.from(proto.Message.encode(typeof text === 'string' ? { conversation: text } : text).finish());
  const pad = 1 + crypto.randomInt(15);
  return Buffer.concat([body, Buffer.alloc(pad, pad)]);
}

/** Baileys pads every plaintext with 1–16 bytes, each holding the pad length. */
function unpad(plain: Buffer): Buffer {
  const pad = plain[plain.length - 1];
  if (!pad || pad > plain.length) throw new Error('bad message padding');
  return plain.subarray(0, plain.length - pad);
}

class MemoryStore {
  sessions = new Map<string, unknown>();
  /** one-time and signed pre-keys this peer handed out, for the sessions others start with it */
  preKeys = new Map<number, libsignal.KeyPair>();
  signedPreKeys = new Map<number, libsignal.KeyPair>();
  constructor(
    private identity: libsignal.KeyPair,
    private registrationId: number,
  ) {}
  async getOurIdentity() {
    return this.identity;
  }
  async getOurRegistrationId() {
    return this.registrationId;
  }
  async isTrustedIdentity() {
    return true;
  }
  async loadSession(id: string) {
    const s = this.sessions.get(id);
    return s ? libsignal.SessionRecord.deserialize(s) : undefined;
  }
  async storeSession(id: string, record: libsignal.SessionRecord) {
    this.sessions.set(id, record.serialize());
  }
  async loadPreKey(id: number) {
    return this.preKeys.get(id);
  }
  async removePreKey(id: number) {
    this.preKeys.delete(id);
  }
  async loadSignedPreKey(id: number) {
    return this.signedPreKeys.get(id);
  }
}

export type EncType = 'pkmsg' | 'msg';
export interface Encrypted {
  type: EncType;
  body: Buffer;
}

export class Contact {
  readonly identity = libsignal.keyhelper.generateIdentityKeyPair();
  readonly registrationId = libsignal.keyhelper.generateRegistrationId();
  readonly signedPreKey = libsignal.keyhelper.generateSignedPreKey(this.identity, 1);
  readonly preKey = libsignal.keyhelper.generatePreKey(1);
  private store = new MemoryStore(this.identity, this.registrationId);
  private nextPreKeyId = 2;

  constructor(readonly jid: string) {
    this.store.signedPreKeys.set(this.signedPreKey.keyId, this.signedPreKey.keyPair);
    this.store.preKeys.set(this.preKey.keyId, this.preKey.keyPair);
  }

  private address(deviceJid: string) {
    const [user, rest] = deviceJid.split('@')[0].split(':');
    return new libsignal.ProtocolAddress(user, Number(rest ?? 0));
  }

  /**
   * Starts a fresh outgoing session to the device (the next messages are pkmsg). Like the real
   * server, each one-time pre-key is handed out once: it leaves the bundle (two contacts sharing
   * one would make the second fail once the device consumed it).
   */
  async newSession(deviceJid: string, bundle: DeviceBundle) {
    const preKey = bundle.preKeys.length ? bundle.preKeys.splice(crypto.randomInt(bundle.preKeys.length), 1)[0] : undefined;
    await quietly(() =>
      new libsignal.SessionBuilder(this.store, this.address(deviceJid)).initOutgoing({
        registrationId: bundle.registrationId,
        identityKey: withPrefix(bundle.identityKey),
        signedPreKey: { ...bundle.signedPreKey, publicKey: withPrefix(bundle.signedPreKey.publicKey) },
        preKey: preKey && { keyId: preKey.keyId, publicKey: withPrefix(preKey.publicKey) },
      }),
    );
  }

  registrationBytes(): Buffer {
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(this.registrationId);
    return buf;
  }

  /** Drops every Signal session (as after a reinstall that kept the keys): what arrives next on an old session cannot be read. */
  forgetSessions() {
    this.store.sessions.clear();
  }

  hasSession(deviceJid: string) {
    return this.store.sessions.has(this.address(deviceJid).toString());
  }

  private async encryptRaw(deviceJid: string, plaintext: Buffer) {
    return quietly(() => new libsignal.SessionCipher(this.store, this.address(deviceJid)).encrypt(plaintext));
  }

  /**
   * A message that decrypts: a pkmsg until the device has written on the session (then msg).
   * `content` is a text or any proto.Message (media, reaction).
   */
  async message(deviceJid: string, bundle: DeviceBundle, content: string | proto.IMessage): Promise<Encrypted> {
    if (!this.hasSession(deviceJid)) await this.newSession(deviceJid, bundle);
    const out = await this.encryptRaw(deviceJid, messagePlaintext(content));
    return { type: out.type === 3 ? 'pkmsg' : 'msg', body: Buffer.from(out.body) };
  }

  /** Decrypts what a device sent this contact (Baileys' relayMessage): the proto.Message inside. */
  async decrypt(fromDeviceJid: string, type: string, body: Buffer): Promise<proto.Message> {
    const plain = await quietly(() => {
      const cipher = new libsignal.SessionCipher(this.store, this.address(fromDeviceJid));
      if (type === 'pkmsg') return cipher.decryptPreKeyWhisperMessage(body);
      if (type === 'msg') return cipher.decryptWhisperMessage(body);
      throw new Error(`cannot decrypt enc type ${type}`);
    });
    return proto.Message.decode(unpad(Buffer.from(plain)));
  }

  /** The inner WhisperMessage ("msg") of the next message, optionally with its MAC broken. */
  async whisper(deviceJid: string, bundle: DeviceBundle, opts: { breakMac?: boolean; garbage?: boolean } = {}): Promise<Encrypted> {
    let inner = Contact.whisperOf(await this.encryptFor(deviceJid, bundle, opts.garbage)).body;
    if (opts.breakMac) inner = flipLastByte(inner);
    return { type: 'msg', body: inner };
  }

  /**
   * A pkmsg from a fresh session, with a broken MAC ("Bad MAC"), a garbage body ("bad decrypt"),
   * an old version, or naming a one-time pre-key the device never published ("Invalid PreKey ID").
   */
  async brokenPreKeyMessage(deviceJid: string, bundle: DeviceBundle, fault: 'bad-mac' | 'bad-decrypt' | 'version' | 'invalid-prekey'): Promise<Encrypted> {
    // invalid-prekey names an id of its own: taking one of the device's real pre-keys would waste it.
    await this.newSession(deviceJid, fault === 'invalid-prekey' ? { ...bundle, preKeys: [] } : bundle);
    const enc = await this.encryptFor(deviceJid, bundle, fault === 'bad-decrypt');
    // Start over next time: the device never stored this session.
    this.store.sessions.delete(this.address(deviceJid).toString());
    if (fault === 'version') {
      const body = Buffer.from(enc.body);
      body[0] = (1 << 4) | 1; // version 1: older than the client supports
      return { type: 'pkmsg', body };
    }
    if (fault === 'bad-decrypt') return enc;
    const pre = protobufs.PreKeyWhisperMessage.decode(enc.body.subarray(1));
    // libsignal on the device looks the pre-key up before anything else and fails on a missing one.
    if (fault === 'invalid-prekey') pre.preKeyId = NEVER_PUBLISHED_PREKEY_ID;
    else pre.message = flipLastByte(Buffer.from(pre.message));
    const body = Buffer.concat([enc.body.subarray(0, 1), Buffer.from(protobufs.PreKeyWhisperMessage.encode(pre).finish())]);
    return { type: 'pkmsg', body };
  }

  /** The WhisperMessage inside a message this contact sent (a pkmsg's inner one, or the msg itself): resent, its counter is one already used. */
  static whisperOf(enc: Encrypted): Encrypted {
    return { type: 'msg', body: enc.type === 'pkmsg' ? Buffer.from(protobufs.PreKeyWhisperMessage.decode(enc.body.subarray(1)).message) : enc.body };
  }

  private async encryptFor(deviceJid: string, bundle: DeviceBundle, garbage = false): Promise<Encrypted> {
    if (!this.hasSession(deviceJid)) await this.newSession(deviceJid, bundle);
    const plaintext = messagePlaintext('(fault)');
    if (garbage) garbageMarkers.add(plaintext);
    const out = await this.encryptRaw(deviceJid, plaintext);
    return { type: out.type === 3 ? 'pkmsg' : 'msg', body: Buffer.from(out.body) };
  }

  /**
   * This contact's own bundle, for the device's key fetch (`iq xmlns=encrypt type=get <key>`).
   * Like the real server, each fetch hands out a fresh one-time pre-key (kept until a pkmsg uses it).
   */
  bundleForFetch() {
    const preKey = libsignal.keyhelper.generatePreKey(this.nextPreKeyId++);
    this.store.preKeys.set(preKey.keyId, preKey.keyPair);
    return {
      registrationId: this.registrationId,
      identityKey: this.identity.pubKey.subarray(1),
      signedPreKey: { keyId: this.signedPreKey.keyId, publicKey: this.signedPreKey.keyPair.pubKey.subarray(1), signature: this.signedPreKey.signature },
      preKey: { keyId: preKey.keyId, publicKey: preKey.keyPair.pubKey.subarray(1) },
    };
  }
}

function flipLastByte(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  out[out.length - 1] ^= 0xff;
  return out;
}
