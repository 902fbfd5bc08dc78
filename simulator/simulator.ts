// The simulated WhatsApp service: phones, their linked devices and live connections, pairing by
// QR, contacts, and faults delivered as real protocol traffic.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { aesDecryptCTR, aesDecryptGCM, aesEncryptCTR, Curve, derivePairingCodeKey, getBinaryNodeChild, hkdf, hmacSign, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import { Connection } from './connection';
import { Contact, type DeviceBundle, type Encrypted } from './contacts';
import { Messaging } from './messaging';
import { MediaHost } from './media';
import { DEFAULT_CONTACT, SimulatorError, lidOf, normalizeJid, phoneLidOf, type ConnectionInfo, type FaultRequest, type PhoneInfo, type SimEvent } from './types';

interface Phone {
  jid: string;
  /** the phone's own identity key (the primary device signs linked devices with it) */
  identity: { private: Uint8Array; public: Uint8Array };
  devices: Set<number>;
  nextDevice: number;
  /** device id → its public keys */
  bundles: Map<number, DeviceBundle>;
  connections: Set<Connection>;
  contacts: Map<string, Contact>;
  lastSeenAt: Date | null;
  /** times a device of this phone had two live connections at the same moment */
  overlaps: number;
  /** devices logged out by the phone: their logins are refused */
  removed?: Set<number>;
}

export interface SimulatorOptions {
  firstFrameDelayMs?: number;
  /** number of QR refs offered per registration (each lives 60 s, then 20 s, in Baileys) */
  qrRefs?: number;
  maxEvents?: number;
  /** disconnect a client that sends nothing (not even its keep-alive ping) for this long; 0 = never */
  idleTimeoutMs?: number;
  /** where the HTTPS media host listens (default: the control API's host) */
  mediaHost?: string;
  /**
   * A JSON file that keeps the linked devices (and each phone's identity) across restarts, as
   * WhatsApp does. With it only a device linked here, and not logged out since, logs in; without
   * it a device this simulator never saw is adopted (tests that restart the simulator).
   */
  registryFile?: string;
  /** the WhatsApp Web version it serves at `/wa-version/sw.js` and the oldest it accepts (setWaVersion) */
  waVersion?: WaVersionSettings;
}

/** The version document's `client_revision` (the version 2.3000.<revision>) and the oldest revision accepted (null: any). */
export interface WaVersionSettings {
  revision: number;
  minRevision: number | null;
}

/** What the registry file holds per phone. */
interface RegistryPhone {
  identity: { private: string; public: string };
  devices: number[];
  removed: number[];
  nextDevice: number;
}

/** A `<notification type="mex">` with one `<update op_name>` carrying GraphQL-style JSON (Baileys 7: handleMexNotification). */
function mexNotification(opName: string, data: unknown): BinaryNode {
  return {
    tag: 'notification',
    attrs: { from: 's.whatsapp.net', type: 'mex', id: crypto.randomBytes(8).toString('hex').toUpperCase(), t: String(Math.floor(Date.now() / 1000)) },
    content: [{ tag: 'update', attrs: { op_name: opName }, content: Buffer.from(JSON.stringify({ data })) }],
  };
}

export class SimulatorCore {
  private phones = new Map<string, Phone>();
  private connections = new Set<Connection>();
  private events: SimEvent[] = [];
  private seq = 0;
  private serverStatic = Curve.generateKeyPair();
  private readonly firstFrameDelayMs: number;
  private readonly qrRefs: number;
  private readonly maxEvents: number;
  private readonly idleTimeoutMs: number;
  private readonly registryFile: string | null;
  /** messages in and out, contacts, receipts and the media host (messaging.ts) */
  readonly messaging: Messaging;
  private waVersion: WaVersionSettings = { revision: 1043857760, minRevision: null };

  constructor(opts: SimulatorOptions = {}) {
    this.messaging = new Messaging(
      {
        record: (type, phoneJid, detail) => this.record(type, phoneJid, detail),
        isPhone: (jid) => this.phones.has(jid) && this.phones.get(jid)!.devices.size > 0,
        liveConnections: (jid) => [...(this.phones.get(jid)?.connections ?? [])].filter((c) => c.live && c.loggedIn),
        bundle: (jid, device) => this.phones.get(jid)?.bundles.get(device),
      },
      new MediaHost(opts.mediaHost ?? '127.0.0.1', (type, detail) => this.record(type, undefined, detail)),
    );
    this.firstFrameDelayMs = opts.firstFrameDelayMs ?? 50;
    if (opts.waVersion) this.waVersion = { ...opts.waVersion };
    this.qrRefs = opts.qrRefs ?? 6;
    this.maxEvents = opts.maxEvents ?? 20_000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 0;
    this.registryFile = opts.registryFile ?? null;
    if (this.registryFile) this.loadRegistry(this.registryFile);
  }

  private loadRegistry(file: string) {
    if (!fs.existsSync(file)) return;
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { phones?: Record<string, RegistryPhone> };
    for (const [jid, p] of Object.entries(data.phones ?? {})) {
      const phone = this.phone(jid)!;
      phone.identity = { private: Buffer.from(p.identity.private, 'base64'), public: Buffer.from(p.identity.public, 'base64') };
      phone.devices = new Set(p.devices);
      phone.removed = new Set(p.removed);
      phone.nextDevice = Math.max(p.nextDevice, ...p.devices.map((d) => d + 1), 1);
    }
  }

  /** Writes the linked devices after a change (a new link, a logout), atomically, for the owner only. */
  private saveRegistry() {
    if (!this.registryFile) return;
    const phones: Record<string, RegistryPhone> = {};
    for (const p of this.phones.values()) {
      if (!p.devices.size && !p.removed?.size) continue;
      phones[p.jid] = {
        identity: { private: Buffer.from(p.identity.private).toString('base64'), public: Buffer.from(p.identity.public).toString('base64') },
        devices: [...p.devices],
        removed: [...(p.removed ?? [])],
        nextDevice: p.nextDevice,
      };
    }
    fs.mkdirSync(path.dirname(this.registryFile), { recursive: true, mode: 0o700 });
    const tmp = `${this.registryFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, phones }, null, 1), { mode: 0o600 });
    fs.renameSync(tmp, this.registryFile);
  }

  /** A linked device is unlinked (the phone removed it, or the client logged itself out): its logins are refused from now on. */
  private unlink(phone: Phone, device: number) {
    phone.devices.delete(device);
    (phone.removed ??= new Set()).add(device);
    this.saveRegistry();
  }

  record(type: string, phoneJid?: string, detail?: unknown) {
    this.events.push({ seq: ++this.seq, at: new Date().toISOString(), phoneJid, type, detail });
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
  }

  eventsSince(since = 0): SimEvent[] {
    return this.events.filter((e) => e.seq > since);
  }

  private phone(jid: string, create = true): Phone | undefined {
    let phone = this.phones.get(jid);
    if (!phone && create) {
      phone = { jid, identity: Curve.generateKeyPair(), devices: new Set(), nextDevice: 1, bundles: new Map(), connections: new Set(), contacts: new Map(), lastSeenAt: null, overlaps: 0 };
      this.phones.set(jid, phone);
    }
    return phone;
  }

  phoneList(): PhoneInfo[] {
    return [...this.phones.values()].map((p) => ({
      phoneJid: p.jid,
      paired: p.devices.size > 0,
      connections: [...p.connections].filter((c) => c.live).length,
      overlaps: p.overlaps,
      lastSeenAt: p.lastSeenAt?.toISOString() ?? null,
    }));
  }

  connectionList(): ConnectionInfo[] {
    return [...this.connections]
      .filter((c) => c.live)
      .map((c) => ({ conn: c.id, phoneJid: c.phoneJid, deviceJid: c.deviceJid, loggedIn: c.loggedIn, remoteAddress: c.remoteAddress, remotePort: c.remotePort, appVersion: c.appVersion }));
  }

  /** A new client WebSocket. */
  accept(ws: WebSocket, peer: { remoteAddress: string | null; remotePort: number | null } = { remoteAddress: null, remotePort: null }) {
    const conn: Connection = new Connection(ws, {
      serverStatic: this.serverStatic,
      firstFrameDelayMs: this.firstFrameDelayMs,
      idleTimeoutMs: this.idleTimeoutMs,
      onRegistration: (c) => this.offerQr(c),
      onLogin: (c, user, device) => this.login(c, user, device),
      acceptsVersion: (c, version) => {
        const min = this.waVersion.minRevision;
        const ok = min === null || version[0] > 2 || (version[0] === 2 && (version[1] > 3000 || (version[1] === 3000 && version[2] >= min)));
        if (!ok) this.record('version-refused', undefined, { conn: c.id, version: version.join('.'), minRevision: min });
        return ok;
      },
      onBundleUpload: (c, bundle) => this.storeBundle(c, bundle),
      onKeyFetch: (c, jids) => this.keyFetch(c, jids),
      onLogout: (c) => this.clientLogout(c),
      onQuery: (c, node) => this.messaging.onQuery(c, node),
      onReady: (c) => this.messaging.onReady(c),
      onNode: (c, node) => {
        if (this.messaging.onNode(c, node)) return;
        if (node.tag !== 'ack' && node.tag !== 'receipt' && node.tag !== 'presence') this.record('client-node', c.phoneJid ?? undefined, { tag: node.tag, type: node.attrs.type });
        if (node.tag === 'receipt' && node.attrs.type === 'retry') this.record('retry-receipt', c.phoneJid ?? undefined, { id: node.attrs.id });
      },
      onClose: (c) => {
        this.connections.delete(c);
        if (c.phoneJid) this.phones.get(c.phoneJid)?.connections.delete(c);
        this.record('close', c.phoneJid ?? undefined, { conn: c.id, code: c.closeCode });
      },
      log: (c, type, detail) => this.record(type, c.phoneJid ?? undefined, detail),
    });
    conn.remoteAddress = peer.remoteAddress;
    conn.remotePort = peer.remotePort;
    this.connections.add(conn);
    this.record('connect', undefined, { conn: conn.id, remoteAddress: conn.remoteAddress, remotePort: conn.remotePort });
  }

  private offerQr(conn: Connection) {
    conn.refs = Array.from({ length: this.qrRefs }, () => crypto.randomBytes(16).toString('base64url'));
    const id = conn.nextId();
    conn.send({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'set', id, xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: conn.refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })) }],
    });
    this.record('registration', undefined, { conn: conn.id });
  }

  private login(conn: Connection, user: string, device: number): boolean {
    const jid = `${user}@s.whatsapp.net`;
    const phone = this.phone(jid, !this.registryFile);
    // A removed device is refused. A device this simulator never saw is refused too when it keeps
    // a registry (like WhatsApp: only a linked device logs in; e.g. credentials left by a pairing
    // code that was never typed name device 0), and adopted without one (tests that restart it).
    if (!phone?.devices.has(device)) {
      if (!phone || phone.removed?.has(device) || this.registryFile) {
        this.record('login-refused', jid, { device, reason: phone?.removed?.has(device) ? 'logged out' : 'not linked' });
        return false;
      }
      phone.devices.add(device);
      phone.nextDevice = Math.max(phone.nextDevice, device + 1);
    }
    conn.phoneJid = jid;
    conn.deviceJid = `${user}:${device}@s.whatsapp.net`;
    conn.needsBundle = () => !phone.bundles.has(device);
    // Like WhatsApp: one live connection per device. A newer login replaces the older one, which
    // gets <stream:error><conflict type='replaced'/> (Baileys: 440). Both were live at this
    // moment: that is an overlap, counted however briefly it lasted.
    const older = [...phone.connections].filter((c) => c.deviceJid === conn.deviceJid && c.live);
    if (older.length) {
      phone.overlaps++;
      this.record('overlap', jid, { device, conns: [...older.map((c) => c.id), conn.id] });
      for (const old of older) {
        old.streamError({}, [{ tag: 'conflict', attrs: { type: 'replaced' } }]);
        this.record('replaced', jid, { device, conn: old.id, by: conn.id });
      }
    }
    phone.connections.add(conn);
    phone.lastSeenAt = new Date();
    this.record('login', jid, { device, conn: conn.id, remoteAddress: conn.remoteAddress, remotePort: conn.remotePort, version: conn.appVersion });
    return true;
  }

  /**
   * Registers devices linked before this simulator kept a registry (a demo folder from an older
   * version): only for a registry created now, by a caller that checked each device's credentials.
   */
  adoptLinked(devices: { phoneJid: string; device: number }[]) {
    for (const { phoneJid, device } of devices) {
      const phone = this.phone(normalizeJid(phoneJid))!;
      if (device < 1 || phone.removed?.has(device)) continue;
      phone.devices.add(device);
      phone.nextDevice = Math.max(phone.nextDevice, device + 1);
    }
    this.saveRegistry();
  }

  /** The client logged its own device out (Baileys' logout()): like WhatsApp, that device is unlinked. */
  private clientLogout(conn: Connection) {
    if (!conn.phoneJid || !conn.deviceJid) return;
    const phone = this.phones.get(conn.phoneJid);
    if (phone) this.unlink(phone, Number(conn.deviceJid.split(':')[1].split('@')[0]));
  }

  private storeBundle(conn: Connection, bundle: DeviceBundle) {
    if (!conn.phoneJid || !conn.deviceJid) return;
    const device = Number(conn.deviceJid.split(':')[1].split('@')[0]);
    this.phone(conn.phoneJid)!.bundles.set(device, bundle);
    this.record('prekeys-uploaded', conn.phoneJid, { count: bundle.preKeys.length });
  }

  private keyFetch(conn: Connection, jids: string[]): BinaryNode[] {
    const phone = conn.phoneJid ? this.phones.get(conn.phoneJid) : undefined;
    this.record('key-fetch', conn.phoneJid ?? undefined, { jids });
    return jids.map((jid) => {
      const contact = phone ? this.messaging.peerFor(phone.jid, jid) : new Contact(jid);
      if (!contact) return { tag: 'user', attrs: { jid }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] };
      const b = contact.bundleForFetch();
      const be = (n: number, bytes: number) => {
        const buf = Buffer.alloc(bytes);
        buf.writeUIntBE(n, 0, bytes);
        return buf;
      };
      return {
        tag: 'user',
        attrs: { jid },
        content: [
          { tag: 'registration', attrs: {}, content: be(b.registrationId, 4) },
          { tag: 'type', attrs: {}, content: Buffer.from([5]) },
          { tag: 'identity', attrs: {}, content: b.identityKey },
          { tag: 'skey', attrs: {}, content: [
            { tag: 'id', attrs: {}, content: be(b.signedPreKey.keyId, 3) },
            { tag: 'value', attrs: {}, content: b.signedPreKey.publicKey },
            { tag: 'signature', attrs: {}, content: b.signedPreKey.signature },
          ] },
          { tag: 'key', attrs: {}, content: [
            { tag: 'id', attrs: {}, content: be(b.preKey.keyId, 3) },
            { tag: 'value', attrs: {}, content: b.preKey.publicKey },
          ] },
        ],
      };
    });
  }

  /** The phone scans a QR string shown by a client: pair that client as a new linked device. */
  async scan(phoneJidInput: string, qr: string): Promise<{ deviceJid: string }> {
    const jid = normalizeJid(phoneJidInput);
    // Baileys 7 shows the same fields behind a wa.me link, with the companion platform appended.
    const [ref, noiseKeyB64, identityB64, advSecretB64] = String(qr).replace(/^https:\/\/wa\.me\/settings\/linked_devices#/, '').split(',');
    if (!ref || !noiseKeyB64 || !identityB64 || !advSecretB64) throw new SimulatorError(400, 'not a WhatsApp QR string');
    const conn = [...this.connections].find((c) => !c.closed && c.refs.includes(ref));
    if (!conn) throw new SimulatorError(404, 'no client is showing this QR (expired or unknown)');
    if (conn.noiseKey && conn.noiseKey.toString('base64') !== noiseKeyB64) throw new SimulatorError(400, 'QR does not match the client');
    conn.refs = [];
    return this.completePairing(conn, this.phone(jid)!, Buffer.from(identityB64, 'base64'), Buffer.from(advSecretB64, 'base64'));
  }

  /**
   * The phone enters the 8-character code a client showed after `requestPairingCode`: the
   * link-code exchange of the real service (both sides derive the same secret from the code and
   * ephemeral keys), then the same pair-success as a QR scan. A wrong code is refused (400).
   */
  async enterCode(phoneJidInput: string, codeInput: string): Promise<{ deviceJid: string }> {
    const jid = normalizeJid(phoneJidInput);
    const code = String(codeInput).replace(/[-\s]/g, '').toUpperCase();
    if (!/^[0-9A-Z]{8}$/.test(code)) throw new SimulatorError(400, 'a pairing code has 8 letters and digits');
    const conn = [...this.connections].reverse().find((c) => !c.closed && c.linkCode && normalizeJid(c.linkCode.phoneJid) === jid);
    if (!conn?.linkCode) throw new SimulatorError(404, `no client is waiting for a pairing code for ${jid}`);
    const request = conn.linkCode;
    const phone = this.phone(jid)!;
    const wrapped = request.wrappedCompanionEphemeral;
    const companionEphemeral = aesDecryptCTR(wrapped.subarray(48, 80), await derivePairingCodeKey(code, wrapped.subarray(0, 32)), wrapped.subarray(32, 48));
    const primaryEphemeral = Curve.generateKeyPair();
    const salt = crypto.randomBytes(32);
    const iv = crypto.randomBytes(16);
    const wrappedPrimary = Buffer.concat([salt, iv, aesEncryptCTR(primaryEphemeral.public, await derivePairingCodeKey(code, salt), iv)]);
    const finish = new Promise<BinaryNode>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SimulatorError(409, 'the client did not finish the code pairing')), 15_000);
      request.onFinish = (node) => {
        clearTimeout(timer);
        resolve(node);
      };
    });
    conn.send({
      tag: 'notification',
      attrs: { from: 's.whatsapp.net', type: 'link_code_companion_reg', id: conn.nextId(), t: String(Math.floor(Date.now() / 1000)) },
      content: [{ tag: 'link_code_companion_reg', attrs: {}, content: [
        { tag: 'link_code_pairing_ref', attrs: {}, content: request.ref },
        { tag: 'primary_identity_pub', attrs: {}, content: Buffer.from(phone.identity.public) },
        { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedPrimary },
      ] }],
    });
    const node = await finish.finally(() => (request.onFinish = undefined));
    const reg = getBinaryNodeChild(node, 'link_code_companion_reg');
    const bundle = reg && getBinaryNodeChild(reg, 'link_code_pairing_wrapped_key_bundle')?.content;
    const companionIdentity = reg && getBinaryNodeChild(reg, 'companion_identity_public')?.content;
    if (!(bundle instanceof Uint8Array) || !(companionIdentity instanceof Uint8Array)) {
      conn.reply(node, [{ tag: 'error', attrs: { code: '400', text: 'bad-request' } }], 'error');
      throw new SimulatorError(409, 'the client sent an incomplete key bundle');
    }
    // Both sides hold the same shared key only if the code was right: the bundle then decrypts.
    const companionShared = Curve.sharedKey(primaryEphemeral.private, companionEphemeral);
    const key = await hkdf(companionShared, 32, { salt: Buffer.from(bundle.subarray(0, 32)), info: 'link_code_pairing_key_bundle_encryption_key' });
    let payload: Buffer;
    try {
      payload = aesDecryptGCM(bundle.subarray(44), key, bundle.subarray(32, 44), Buffer.alloc(0));
    } catch {
      conn.reply(node, [{ tag: 'error', attrs: { code: '401', text: 'not-authorized' } }], 'error');
      this.record('pairing-code-refused', jid);
      throw new SimulatorError(400, 'wrong pairing code');
    }
    conn.reply(node);
    conn.linkCode = null;
    const random = payload.subarray(64, 96);
    const identityShared = Curve.sharedKey(phone.identity.private, companionIdentity);
    const advSecret = await hkdf(Buffer.concat([companionShared, identityShared, random]), 32, { info: 'adv_secret' });
    conn.refs = [];
    return this.completePairing(conn, phone, Buffer.from(companionIdentity), advSecret);
  }

  /** pair-success for a client: a new linked device signed by the phone, then 515 to log in. */
  private async completePairing(conn: Connection, phone: Phone, clientIdentity: Buffer, advSecret: Buffer): Promise<{ deviceJid: string }> {
    const jid = phone.jid;
    const device = phone.nextDevice++;
    const deviceJid = `${jid.split('@')[0]}:${device}@s.whatsapp.net`;
    const details = proto.ADVDeviceIdentity.encode({ rawId: crypto.randomInt(2 ** 31), timestamp: Math.floor(Date.now() / 1000), keyIndex: device }).finish();
    const accountSignature = Curve.sign(phone.identity.private, Buffer.concat([Buffer.from([6, 0]), details, clientIdentity]));
    const signed = proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: phone.identity.public, accountSignature }).finish();
    const hmac = hmacSign(signed, advSecret);
    const identityHmac = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish();
    const id = conn.nextId();
    const answer = conn.waitFor(id);
    conn.send({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'set', id },
      content: [{ tag: 'pair-success', attrs: {}, content: [
        { tag: 'device-identity', attrs: {}, content: identityHmac },
        { tag: 'platform', attrs: { name: 'android' } },
        // the phone's LID beside its number, as WhatsApp sends it (Baileys 7 keeps it in creds.me.lid from here)
        { tag: 'device', attrs: { jid: deviceJid, lid: phoneLidOf(jid, device) } },
      ] }],
    });
    const reply = await answer;
    if (!reply || reply.attrs.type !== 'result') throw new SimulatorError(409, 'the client did not accept the pairing');
    phone.devices.add(device);
    if (conn.registrationBundle) phone.bundles.set(device, conn.registrationBundle);
    phone.lastSeenAt = new Date();
    this.saveRegistry();
    this.record('paired', jid, { deviceJid });
    // Like the real service: the client must reconnect and log in with its new identity.
    conn.streamError({ code: '515' });
    return { deviceJid };
  }

  /** A contact is one Signal peer for every phone (messaging.ts keeps them). */
  private contact(_phone: Phone, from: string): Contact {
    return this.messaging.contact(from);
  }

  private liveConnection(phoneJid: string): { phone: Phone; conn: Connection } {
    const phone = this.phones.get(phoneJid);
    const live = phone && [...phone.connections].filter((c) => c.live && c.loggedIn);
    if (!phone || !live?.length) throw new SimulatorError(404, `phone ${phoneJid} has no live connection`);
    return { phone, conn: live[live.length - 1] };
  }

  private async sendEncrypted(conn: Connection, from: string, enc: Encrypted, waitForReceipt: boolean, extra: Record<string, string> = {}) {
    const id = crypto.randomBytes(8).toString('hex').toUpperCase();
    const receipt = waitForReceipt ? conn.waitFor(id, 10_000) : null;
    conn.send({
      tag: 'message',
      attrs: { from, type: 'text', id, t: String(Math.floor(Date.now() / 1000)), notify: 'Sim contact', ...extra },
      content: [{ tag: 'enc', attrs: { v: '2', type: enc.type }, content: enc.body }],
    });
    if (receipt) await receipt;
    return id;
  }

  async inject(phoneJidInput: string, fault: FaultRequest): Promise<{ delivered: number }> {
    const jid = normalizeJid(phoneJidInput);
    const count = fault.count ?? 1;
    let delivered = 0;
    for (let i = 0; i < count; i++) {
      const { phone, conn } = this.liveConnection(jid);
      const device = Number(conn.deviceJid!.split(':')[1].split('@')[0]);
      const bundle = phone.bundles.get(device);
      const needsKeys = ['message', 'bad-mac', 'bad-decrypt', 'no-session', 'version', 'pn-lid-mismatch', 'invalid-prekey', 'duplicate'].includes(fault.type);
      if (needsKeys && !bundle) throw new SimulatorError(409, `phone ${jid} has not published its keys yet`);
      const contact = this.contact(phone, fault.from ?? DEFAULT_CONTACT);
      const device0 = conn.deviceJid!;
      switch (fault.type) {
        case 'message':
          if ((fault.addressing ?? this.messaging.addressingOf(contact.jid)) === 'lid') {
            // From the contact's LID, with its number as the alternative address (sender_pn), the
            // way WhatsApp delivers from contacts it moved to LID addressing.
            await this.sendEncrypted(conn, lidOf(contact.jid), await contact.message(device0, bundle!, fault.text ?? 'hello'), true, { sender_pn: contact.jid, addressing_mode: 'lid' });
          } else {
            await this.sendEncrypted(conn, contact.jid, await contact.message(device0, bundle!, fault.text ?? 'hello'), true);
          }
          break;
        case 'bad-mac':
        case 'bad-decrypt':
          if (fault.via === 'msg') {
            // Needs a session the device knows: set one up with a good message first.
            await contact.newSession(device0, bundle!);
            await this.sendEncrypted(conn, contact.jid, await contact.message(device0, bundle!, '(session setup)'), true);
            await this.sendEncrypted(conn, contact.jid, await contact.whisper(device0, bundle!, fault.type === 'bad-mac' ? { breakMac: true } : { garbage: true }), false);
          } else {
            await this.sendEncrypted(conn, contact.jid, await contact.brokenPreKeyMessage(device0, bundle!, fault.type), false);
          }
          break;
        case 'version':
        case 'invalid-prekey':
          await this.sendEncrypted(conn, contact.jid, await contact.brokenPreKeyMessage(device0, bundle!, fault.type), false);
          break;
        case 'duplicate': {
          // A message delivered twice: a good one sets up the session, then its WhisperMessage comes
          // again (as a msg, under a new stanza id) with the counter the device already used up.
          // (The same pkmsg again would not reach the console: Baileys nacks "Key used already" silently.)
          await contact.newSession(device0, bundle!);
          const first = await contact.message(device0, bundle!, '(session setup)');
          await this.sendEncrypted(conn, contact.jid, first, true);
          await this.sendEncrypted(conn, contact.jid, Contact.whisperOf(first), false);
          break;
        }
        case 'pn-lid-mismatch': {
          // "The session stored under the other address" (Baileys #1769): the contact had a session
          // under its number, moves to LID addressing with a new session, then a message on that
          // new session arrives under its number (sender_lid names the LID). A client that looks
          // only at the number decrypts with the old session: Bad MAC, though nothing is corrupt.
          const lid = lidOf(contact.jid);
          await contact.newSession(device0, bundle!);
          await this.sendEncrypted(conn, contact.jid, await contact.message(device0, bundle!, '(number session)'), true);
          await contact.newSession(device0, bundle!);
          await this.sendEncrypted(conn, lid, await contact.message(device0, bundle!, '(LID session)'), true, { sender_pn: contact.jid, addressing_mode: 'lid' });
          await this.sendEncrypted(conn, contact.jid, await contact.whisper(device0, bundle!), false, { sender_lid: lid, addressing_mode: 'pn' });
          break;
        }
        case 'message-absent':
          // A message stanza without an enc (or plaintext) child: nothing for the client to decrypt.
          conn.send({
            tag: 'message',
            attrs: { from: contact.jid, type: 'text', id: crypto.randomBytes(8).toString('hex').toUpperCase(), t: String(Math.floor(Date.now() / 1000)), notify: 'Sim contact' },
            content: [{ tag: 'unavailable', attrs: {} }],
          });
          break;
        case 'no-session': {
          // A "msg" from a contact the device has never talked to.
          const stranger = fault.from ? contact : new Contact(`1555${crypto.randomInt(1e6, 1e7)}@s.whatsapp.net`);
          await this.sendEncrypted(conn, stranger.jid, await stranger.whisper(device0, bundle!), false);
          break;
        }
        case 'drop':
          conn.destroy();
          break;
        case 'logged-out':
          this.unlink(phone, device);
          conn.streamError({ code: '401' }, [{ tag: 'conflict', attrs: { type: 'device_removed' } }]);
          break;
        case 'restart-required':
          conn.streamError({ code: '515' });
          break;
        case 'stream-error':
          // Any close code WhatsApp uses: bans (402 temporary, 403 locked, 406 permanent), 463 restricted, 405 version refused…
          conn.streamError({ code: String(fault.code ?? 500) });
          break;
        case 'conflict':
          conn.streamError({}, [{ tag: 'conflict', attrs: { type: 'replaced' } }]);
          break;
        case 'reachout-timelock': {
          // The account may not start new chats until a time (a mex notification, as WhatsApp sends it; Baileys 7 reads it).
          const active = fault.active ?? true;
          const ends = String(Math.floor(Date.now() / 1000) + (fault.seconds ?? 3600));
          conn.send(mexNotification('NotificationUserReachoutTimelockUpdate', { xwa2_notify_account_reachout_timelock: { is_active: active, ...(active ? { time_enforcement_ends: ends, enforcement_type: 'DEFAULT' } : {}) } }));
          break;
        }
        case 'message-capping': {
          // New-chat message capping: warnings, then capped for the cycle.
          const status = fault.capping ?? 'CAPPED';
          const total = 50;
          const used = status === 'CAPPED' ? total : status === 'NONE' ? 0 : status === 'FIRST_WARNING' ? 40 : 45;
          conn.send(mexNotification('MessageCappingInfoNotification', { xwa2_notify_new_chat_messages_capping_info_update: { capping_status: status, total_quota: total, used_quota: used, cycle_end_timestamp: String(Math.floor(Date.now() / 1000) + 7 * 86400) } }));
          break;
        }
        case 'silence':
          conn.silenced = true;
          break;
        case 'freeze':
          conn.frozen = true;
          break;
      }
      delivered++;
      this.record('fault', jid, { type: fault.type, via: fault.via ?? null, from: contact.jid, n: i + 1 });
      if (['drop', 'logged-out', 'restart-required', 'stream-error', 'conflict', 'silence', 'freeze'].includes(fault.type)) break;
    }
    return { delivered };
  }

  /** What `/wa-version/sw.js` serves and the oldest revision a client may announce. */
  setWaVersion(settings: Partial<WaVersionSettings>): WaVersionSettings {
    this.waVersion = { ...this.waVersion, ...settings };
    this.record('wa-version', undefined, this.waVersion);
    return { ...this.waVersion };
  }

  /** The version document, shaped like web.whatsapp.com/sw.js's (an escaped JSON string with `client_revision`). */
  waVersionDocument(): string {
    const data = JSON.stringify({ dynamic_data: { SiteData: { server_revision: this.waVersion.revision, client_revision: this.waVersion.revision } } });
    return `self.__swData=JSON.parse(/*BTDS*/${JSON.stringify(data)});\n`;
  }

  async close() {
    this.messaging.close();
    await this.messaging.media.close();
    for (const conn of this.connections) conn.destroy();
  }
}
