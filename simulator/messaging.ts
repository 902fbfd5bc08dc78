// Messages in and out of the simulated phones: the contacts a phone writes to (any number the
// simulator does not hold as a phone), the server's answers a sending client needs (usync device
// lists, pre-key bundles, the server ack, media_conn), the contacts' receipts, and what contacts
// send to a phone. Everything is real protocol traffic for the unmodified Baileys client; the
// contacts decrypt with real Signal sessions. See README.md "Messaging".
import crypto from 'node:crypto';
import { getAllBinaryNodeChildren, getBinaryNodeChild, getBinaryNodeChildren, normalizeMessageContent, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { Connection } from './connection';
import { Contact, type DeviceBundle } from './contacts';
import { MediaHost, decryptMedia, encryptMedia, MEDIA_KINDS, UPLOAD_HOSTNAME, type MediaKind } from './media';
import { SimulatorError, isLidJid, lidOf, normalizeJid, phoneLidOf, type Addressing } from './types';

/** When a contact sends its receipts for what a phone sent it: after N ms, or never. */
export type ReceiptDelay = number | 'never';
export interface ReceiptPolicy {
  delivery: ReceiptDelay;
  read: ReceiptDelay;
}
export interface MessagingSettings {
  receipts: ReceiptPolicy;
  /** the server acks what phones send (`<ack class="message">`); off: stanzas are dropped unacked */
  ack: boolean;
}
export const DEFAULT_MESSAGING: MessagingSettings = { receipts: { delivery: 0, read: 'never' }, ack: true };

export type MessageKind = 'text' | MediaKind | 'reaction' | 'protocol' | 'other' | 'undecryptable';

export interface InboxEntry {
  id: string;
  /** the phone that sent it */
  from: string;
  kind: MessageKind;
  text?: string;
  caption?: string;
  media?: { mimetype: string | null; fileName: string | null; size: number; sha256: string; verified: boolean; error?: string };
  reaction?: { id: string; text: string };
  /** how many times the stanza with this id arrived (a resend shows here, never as a second message) */
  times: number;
  firstAt: string;
  lastAt: string;
  /** why the contact could not read it (no session, bad MAC, …), while it could not */
  error?: string;
  /** retry receipts the contact sent for it (asking the phone to encrypt it again) */
  retries: number;
}

export interface ContactSent {
  id: string;
  to: string;
  kind: MessageKind;
  at: string;
  /** pending until the phone's client sends its receipt; read after a read receipt */
  status: 'pending' | 'delivered' | 'read' | 'retry';
}

export interface PhoneSent {
  id: string;
  to: string;
  at: string;
  times: number;
  /** the server acked it (false while acks are switched off for the phone) */
  acked: boolean;
}

export interface ContactInfo {
  jid: string;
  /** its LID (assigned to every contact; WhatsApp uses it only in `lid` addressing) */
  lid: string;
  /** `lid`: messages come from its LID with `sender_pn`, usync answers its LID */
  addressing: Addressing;
  notOnWhatsApp: boolean;
  receipts: ReceiptPolicy;
  received: number;
  sent: number;
}

interface ContactState {
  jid: string;
  lid: string;
  addressing: Addressing;
  contact: Contact;
  notOnWhatsApp: boolean;
  receipts: Partial<ReceiptPolicy> | null;
  inbox: Map<string, InboxEntry>;
  media: Map<string, Buffer>;
  sent: Map<string, ContactSent>;
  /** Signal state is one record per peer device: encrypt and decrypt one at a time */
  chain: Promise<unknown>;
}

interface PhoneState {
  sent: Map<string, PhoneSent>;
  /** per-phone override of the server ack switch */
  ack: boolean | null;
  /** stanzas for the phone kept until its client acknowledges them, sent again at each login */
  pending: Map<string, BinaryNode>;
  lastDeviceJid: string | null;
}

/** What messaging needs from the rest of the simulator. */
export interface MessagingHost {
  record(type: string, phoneJid?: string, detail?: unknown): void;
  isPhone(jid: string): boolean;
  liveConnections(phoneJid: string): Connection[];
  bundle(phoneJid: string, device: number): DeviceBundle | undefined;
}

export interface ContactSendRequest {
  to: string;
  text?: string;
  media?: { kind: MediaKind; mimetype: string; data: string; caption?: string; fileName?: string };
  reaction?: { id: string; text: string };
}

const MAX_RETRY_RECEIPTS = 2;
const now = () => new Date().toISOString();
const unix = () => String(Math.floor(Date.now() / 1000));
const deviceOf = (deviceJid: string) => Number(deviceJid.split('@')[0].split(':')[1] ?? 0);
const userOf = (jid: string) => jid.split('@')[0].split(':')[0];
const bytes = (c: BinaryNode['content']) => (c instanceof Uint8Array ? Buffer.from(c) : typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.alloc(0));

export class Messaging {
  settings: MessagingSettings = structuredClone(DEFAULT_MESSAGING);
  private contacts = new Map<string, ContactState>();
  /** LID → phone-number JID of every contact made so far */
  private lids = new Map<string, string>();
  /** each phone's own primary device (device 0) as a Signal peer: Baileys encrypts a copy to it */
  private selves = new Map<string, Contact>();
  private phones = new Map<string, PhoneState>();
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    private host: MessagingHost,
    readonly media: MediaHost,
  ) {}

  // ----- contacts -----

  /**
   * The number for a number, a phone-number JID or a LID. A contact's LID maps to its number; any
   * other LID is read as a number (a phone's own LID is its number at `@lid`, connection.ts).
   */
  private numberOf(input: string): string {
    return (isLidJid(input) && this.lids.get(`${userOf(input)}@lid`)) || normalizeJid(input);
  }

  private state(input: string): ContactState {
    const jid = this.numberOf(input);
    let cs = this.contacts.get(jid);
    if (!cs) {
      const lid = lidOf(jid);
      cs = { jid, lid, addressing: 'pn', contact: new Contact(jid), notOnWhatsApp: false, receipts: null, inbox: new Map(), media: new Map(), sent: new Map(), chain: Promise.resolve() };
      this.contacts.set(jid, cs);
      this.lids.set(lid, jid);
    }
    return cs;
  }

  /** The existing contact behind a number, JID or LID; undefined if none. */
  private find(input: string): ContactState | undefined {
    try {
      return this.contacts.get(this.numberOf(input));
    } catch {
      return undefined;
    }
  }

  /** How WhatsApp addresses this contact now (`pn` unless switched). */
  addressingOf(input: string): Addressing {
    return this.state(input).addressing;
  }

  /** The contact with this number (created on first use). */
  contact(input: string): Contact {
    return this.state(input).contact;
  }

  private serial<T>(cs: ContactState, fn: () => Promise<T>): Promise<T> {
    const run = cs.chain.then(fn, fn);
    cs.chain = run.catch(() => undefined);
    return run;
  }

  /** The Signal peer behind a key fetch by a phone's client; null when the number is not on WhatsApp. */
  peerFor(requesterPhoneJid: string | null, jid: string): Contact | null {
    const number = this.numberOf(jid);
    if (requesterPhoneJid && number === requesterPhoneJid) {
      let self = this.selves.get(number);
      if (!self) this.selves.set(number, (self = new Contact(number)));
      return self;
    }
    const cs = this.state(number);
    return cs.notOnWhatsApp ? null : cs.contact;
  }

  contactList(): ContactInfo[] {
    return [...this.contacts.values()].map((cs) => ({ jid: cs.jid, lid: cs.lid, addressing: cs.addressing, notOnWhatsApp: cs.notOnWhatsApp, receipts: this.policy(cs), received: cs.inbox.size, sent: cs.sent.size }));
  }

  configureContact(input: string, patch: { notOnWhatsApp?: boolean; receipts?: Partial<ReceiptPolicy> | null; addressing?: Addressing }): ContactInfo {
    const cs = this.state(input);
    if (patch.notOnWhatsApp !== undefined) cs.notOnWhatsApp = patch.notOnWhatsApp;
    // Moving to LID keeps the contact's Signal sessions (as WhatsApp migrates them): its next
    // message on an existing session is a `msg` from the LID, which only a client that knows the
    // mapping (sender_pn → LID) can decrypt.
    if (patch.addressing !== undefined) cs.addressing = patch.addressing;
    if (patch.receipts === null) cs.receipts = null;
    else if (patch.receipts) cs.receipts = { ...cs.receipts, ...patch.receipts };
    return this.contactList().find((c) => c.jid === cs.jid)!;
  }

  configure(patch: { receipts?: Partial<ReceiptPolicy>; ack?: boolean }): MessagingSettings {
    if (patch.receipts) this.settings.receipts = { ...this.settings.receipts, ...patch.receipts };
    if (patch.ack !== undefined) this.settings.ack = patch.ack;
    return structuredClone(this.settings);
  }

  private policy(cs: ContactState): ReceiptPolicy {
    return { ...this.settings.receipts, ...cs.receipts };
  }

  inbox(input: string): InboxEntry[] {
    return [...this.state(input).inbox.values()].map((e) => structuredClone(e));
  }

  inboxMedia(input: string, id: string): { data: Buffer; mimetype: string } {
    const cs = this.state(input);
    const data = cs.media.get(id);
    if (!data) throw new SimulatorError(404, `no media for message ${id} in ${cs.jid}'s inbox`);
    return { data, mimetype: cs.inbox.get(id)?.media?.mimetype ?? 'application/octet-stream' };
  }

  /** The contact loses its Signal sessions (e.g. reinstalled): the phone's next message fails, and is retried. */
  resetSessions(input: string) {
    const cs = this.state(input);
    return this.serial(cs, async () => cs.contact.forgetSessions());
  }

  contactSent(input: string): ContactSent[] {
    return [...this.state(input).sent.values()].map((e) => ({ ...e }));
  }

  // ----- phones -----

  private phone(jid: string): PhoneState {
    let ps = this.phones.get(jid);
    if (!ps) this.phones.set(jid, (ps = { sent: new Map(), ack: null, pending: new Map(), lastDeviceJid: null }));
    return ps;
  }

  phoneSent(input: string): PhoneSent[] {
    return [...this.phone(normalizeJid(input)).sent.values()].map((e) => ({ ...e }));
  }

  configurePhone(input: string, patch: { ack?: boolean | null }): { ack: boolean } {
    const ps = this.phone(normalizeJid(input));
    if (patch.ack !== undefined) ps.ack = patch.ack;
    return { ack: ps.ack ?? this.settings.ack };
  }

  // ----- protocol hooks -----

  /** Queries only messaging answers (usync, media_conn); null: not ours. */
  onQuery(conn: Connection, node: BinaryNode): BinaryNode[] | null {
    const xmlns = node.attrs.xmlns;
    if (xmlns === 'usync') return this.usync(conn, node);
    if (xmlns === 'w:m' && getBinaryNodeChild(node, 'media_conn')) {
      const ttl = '300';
      return [{ tag: 'media_conn', attrs: { auth: this.media.auth, ttl, auth_ttl: '21600', max_buckets: '12' }, content: [{ tag: 'host', attrs: { hostname: UPLOAD_HOSTNAME, maxContentLengthBytes: String(64 * 1024 * 1024) } }] }];
    }
    return null;
  }

  /** A usync query: device lists (always device 0: contacts have one device), "on WhatsApp", and the account's LID. */
  private usync(conn: Connection, node: BinaryNode): BinaryNode[] {
    const usync = getBinaryNodeChild(node, 'usync');
    const protocols = getAllBinaryNodeChildren(getBinaryNodeChild(usync, 'query') ?? { tag: 'query', attrs: {} }).map((n) => n.tag);
    const users = getBinaryNodeChildren(getBinaryNodeChild(usync, 'list'), 'user').flatMap((user) => {
      let jid = user.attrs.jid;
      if (!jid) {
        const phone = bytes(getBinaryNodeChild(user, 'contact')?.content).toString();
        try {
          jid = normalizeJid(phone);
        } catch {
          return [];
        }
      }
      const number = this.numberOf(jid);
      const isPhone = number === conn.phoneJid || this.host.isPhone(number);
      const cs = isPhone ? null : this.state(number);
      const onWhatsApp = !cs?.notOnWhatsApp;
      const content: BinaryNode[] = [];
      for (const p of protocols) {
        if (p === 'devices') {
          content.push({ tag: 'devices', attrs: {}, content: [
            { tag: 'device-list', attrs: {}, content: onWhatsApp ? [{ tag: 'device', attrs: { id: '0' } }] : [] },
            { tag: 'key-index-list', attrs: { ts: unix() } },
          ] });
        } else if (p === 'contact') {
          content.push({ tag: 'contact', attrs: { type: onWhatsApp ? 'in' : 'out' } });
        } else if (p === 'lid' && onWhatsApp) {
          // The usync `lid` protocol: every account's LID beside its number, whatever the contact's
          // addressing (as WhatsApp answers). Baileys 7 stores it as a lid-mapping and fetches keys
          // and encrypts under the LID only: with no LID it has no session to encrypt to and a first
          // message to a contact fails with "All encryptions failed".
          content.push({ tag: 'lid', attrs: { val: cs ? cs.lid : phoneLidOf(number) } });
        }
      }
      // Answered under the address asked for (a LID query gets its LID back).
      return [{ tag: 'user', attrs: { jid: isLidJid(jid) ? `${userOf(jid)}@lid` : number }, content }];
    });
    this.host.record('usync', conn.phoneJid ?? undefined, { protocols, users: users.length });
    return [{ tag: 'usync', attrs: { sid: usync?.attrs.sid ?? '', index: '0', last: 'true', mode: usync?.attrs.mode ?? 'query', context: usync?.attrs.context ?? 'interactive' }, content: [
      { tag: 'result', attrs: {}, content: protocols.map((p) => ({ tag: p, attrs: {} })) },
      { tag: 'list', attrs: {}, content: users },
    ] }];
  }

  /** Nodes from a client; true when messaging consumed the node. */
  onNode(conn: Connection, node: BinaryNode): boolean {
    if (!conn.phoneJid) return false;
    if (node.tag === 'message') {
      this.fromPhone(conn, node);
      return true;
    }
    const ps = this.phone(conn.phoneJid);
    if (node.tag === 'ack' && node.attrs.class === 'receipt') {
      ps.pending.delete(`receipt:${node.attrs.id}:${node.attrs.type ?? 'delivery'}`);
    } else if (node.tag === 'receipt' && node.attrs.to) {
      // The phone's client got (or could not decrypt) what a contact sent it.
      const cs = this.find(node.attrs.to);
      const ids = [node.attrs.id, ...getBinaryNodeChildren(getBinaryNodeChild(node, 'list'), 'item').map((i) => i.attrs.id)];
      for (const id of ids) {
        ps.pending.delete(`message:${id}`);
        const sent = cs?.sent.get(id);
        if (!sent) continue;
        if (node.attrs.type === 'read' || node.attrs.type === 'read-self') sent.status = 'read';
        else if (node.attrs.type === 'retry') sent.status = 'retry';
        else if (sent.status === 'pending') sent.status = 'delivered';
      }
    }
    return false;
  }

  /** A client finished logging in: stanzas it has not acknowledged yet are sent again. */
  onReady(conn: Connection) {
    if (!conn.phoneJid || !conn.deviceJid) return;
    const ps = this.phone(conn.phoneJid);
    ps.lastDeviceJid = conn.deviceJid;
    for (const node of ps.pending.values()) conn.send(node);
  }

  private toPhone(phoneJid: string, key: string, node: BinaryNode) {
    this.phone(phoneJid).pending.set(key, node);
    for (const conn of this.host.liveConnections(phoneJid)) conn.send(node);
  }

  /** A `<message>` a phone's client sent (Baileys relayMessage). */
  private fromPhone(conn: Connection, node: BinaryNode) {
    const phoneJid = conn.phoneJid!;
    const { id, to } = node.attrs;
    if (!id || !to) return;
    const ps = this.phone(phoneJid);
    // A LID this simulator assigned stands for its contact (a client that knows the mapping may write to either).
    const byLid = isLidJid(to) ? this.contacts.get(this.lids.get(`${userOf(to)}@lid`) ?? '') : undefined;
    const recipient = byLid ? byLid.jid : to.endsWith('@s.whatsapp.net') ? normalizeJid(to) : to;
    let sent = ps.sent.get(id);
    if (!sent) ps.sent.set(id, (sent = { id, to: recipient, at: now(), times: 0, acked: false }));
    sent.times++;
    if (!(ps.ack ?? this.settings.ack)) {
      this.host.record('message-unacked', phoneJid, { id, to: recipient });
      return;
    }
    const cs = recipient.endsWith('@s.whatsapp.net') && recipient !== phoneJid ? this.state(recipient) : null;
    if (cs?.notOnWhatsApp) {
      conn.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t: unix(), error: '404' } });
      this.host.record('message-refused', phoneJid, { id, to: recipient, reason: 'not on WhatsApp' });
      return;
    }
    conn.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t: unix() } });
    sent.acked = true;
    this.host.record('message-sent', phoneJid, { id, to: recipient, times: sent.times });
    if (!cs) return; // to itself (peer messages), groups, newsletters: acked, delivered nowhere
    const mine = (jid: string) => userOf(jid) === userOf(cs.jid) || userOf(jid) === userOf(cs.lid);
    const encs = getBinaryNodeChildren(getBinaryNodeChild(node, 'participants'), 'to')
      .filter((t) => mine(t.attrs.jid ?? ''))
      .map((t) => getBinaryNodeChild(t, 'enc'))
      .filter((e): e is BinaryNode => !!e);
    const direct = getBinaryNodeChild(node, 'enc');
    if (direct && mine(to)) encs.push(direct);
    void this.serial(cs, () => this.receive(cs, phoneJid, conn.deviceJid!, id, encs)).catch((err) => this.host.record('contact-error', phoneJid, { id, error: String(err?.message ?? err) }));
  }

  /** The contact's client gets a stanza: decrypts it, shows the id once, counts it, sends receipts. */
  private async receive(cs: ContactState, phoneJid: string, fromDeviceJid: string, id: string, encs: BinaryNode[]) {
    // Shown (in the inbox) only once processed: never half-filled to someone polling it.
    const existing = cs.inbox.get(id);
    const entry: InboxEntry = existing ? structuredClone(existing) : { id, from: phoneJid, kind: 'undecryptable', times: 0, firstAt: now(), lastAt: now(), retries: 0 };
    let readable = entry.kind !== 'undecryptable';
    for (const enc of encs) {
      try {
        // Always decrypt, a resend too: a new session it starts is the one the phone uses next.
        const msg = await cs.contact.decrypt(fromDeviceJid, enc.attrs.type, bytes(enc.content));
        if (!readable) await this.fill(cs, entry, msg);
        readable = true;
      } catch (err) {
        if (!readable) entry.error = String((err as Error)?.message ?? err);
      }
    }
    if (readable) delete entry.error;
    entry.times++;
    entry.lastAt = now();
    cs.inbox.set(id, entry);
    this.host.record('contact-received', phoneJid, { id, contact: cs.jid, kind: entry.kind, times: entry.times, readable });
    if (!readable) {
      // Like a WhatsApp client: ask the sender to encrypt it again (Baileys fetches fresh keys
      // and resends it under the same id, if its getMessage still has the message).
      if (entry.retries < MAX_RETRY_RECEIPTS) {
        entry.retries++;
        this.toPhone(phoneJid, `receipt:${id}:retry`, { tag: 'receipt', attrs: { from: cs.jid, id, type: 'retry', t: unix() }, content: [
          { tag: 'retry', attrs: { count: String(entry.retries), id, t: unix(), v: '1' } },
          { tag: 'registration', attrs: {}, content: cs.contact.registrationBytes() },
        ] });
      }
      return;
    }
    const policy = this.policy(cs);
    this.later(policy.delivery, () => this.toPhone(phoneJid, `receipt:${id}:delivery`, { tag: 'receipt', attrs: { from: cs.jid, id, t: unix() } }));
    this.later(policy.read, () => this.toPhone(phoneJid, `receipt:${id}:read`, { tag: 'receipt', attrs: { from: cs.jid, id, type: 'read', t: unix() } }));
  }

  private later(delay: ReceiptDelay, fn: () => void) {
    if (delay === 'never') return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delay);
    this.timers.add(timer);
  }

  /** What the contact's WhatsApp shows for a decrypted message; media is fetched and checked. */
  private async fill(cs: ContactState, entry: InboxEntry, raw: proto.IMessage) {
    const msg = normalizeMessageContent(raw) ?? raw;
    if (msg.conversation != null || msg.extendedTextMessage) {
      entry.kind = 'text';
      entry.text = msg.conversation ?? msg.extendedTextMessage?.text ?? '';
      return;
    }
    if (msg.reactionMessage) {
      entry.kind = 'reaction';
      entry.reaction = { id: msg.reactionMessage.key?.id ?? '', text: msg.reactionMessage.text ?? '' };
      return;
    }
    for (const kind of MEDIA_KINDS) {
      const m = msg[`${kind}Message` as const] as (proto.Message.IImageMessage & proto.Message.IDocumentMessage) | null | undefined;
      if (!m) continue;
      entry.kind = kind;
      if (m.caption) entry.caption = m.caption;
      const info: NonNullable<InboxEntry['media']> = { mimetype: m.mimetype ?? null, fileName: m.fileName ?? null, size: Number(m.fileLength ?? 0), sha256: Buffer.from(m.fileSha256 ?? []).toString('hex'), verified: false };
      entry.media = info;
      try {
        const enc = this.media.get(m.directPath ?? m.url ?? '');
        if (!enc) throw new Error('not on the media host');
        if (!m.mediaKey) throw new Error('no mediaKey');
        const data = await decryptMedia(enc, m.mediaKey, kind);
        info.verified = crypto.createHash('sha256').update(data).digest('hex') === info.sha256;
        info.size = data.length;
        cs.media.set(entry.id, data);
      } catch (err) {
        info.error = String((err as Error)?.message ?? err);
      }
      return;
    }
    entry.kind = msg.protocolMessage ? 'protocol' : 'other';
  }

  // ----- contacts sending -----

  /** A contact sends a phone a text, a file or a reaction: encrypted with Signal, kept until the client acknowledges it. */
  async sendFromContact(number: string, req: ContactSendRequest): Promise<{ id: string }> {
    const cs = this.state(number);
    const phoneJid = normalizeJid(req.to);
    if (!this.host.isPhone(phoneJid)) throw new SimulatorError(404, `${phoneJid} is not a phone of this simulator`);
    const target = this.targetDevice(phoneJid);
    if (!target) throw new SimulatorError(409, `phone ${phoneJid} has no linked device with published keys yet`);
    let message: proto.IMessage;
    let kind: MessageKind;
    if (req.media) {
      const data = Buffer.from(req.media.data, 'base64');
      const e = await encryptMedia(data, req.media.kind);
      const { directPath, url } = this.media.put(req.media.kind, e.enc);
      const content = {
        url,
        directPath,
        mediaKey: e.mediaKey,
        mediaKeyTimestamp: Math.floor(Date.now() / 1000),
        fileSha256: e.fileSha256,
        fileEncSha256: e.fileEncSha256,
        fileLength: e.fileLength,
        mimetype: req.media.mimetype,
        ...(req.media.caption ? { caption: req.media.caption } : {}),
        ...(req.media.kind === 'document' ? { fileName: req.media.fileName ?? 'file' } : {}),
      };
      message = { [`${req.media.kind}Message`]: content };
      kind = req.media.kind;
    } else if (req.reaction) {
      // From the contact's side the reacted message is "from me" only if the contact sent it.
      const fromMe = cs.sent.has(req.reaction.id);
      message = { reactionMessage: { key: { remoteJid: phoneJid, fromMe, id: req.reaction.id }, text: req.reaction.text, senderTimestampMs: Date.now() } };
      kind = 'reaction';
    } else if (req.text !== undefined) {
      message = { conversation: req.text };
      kind = 'text';
    } else {
      throw new SimulatorError(400, 'give text, media or reaction');
    }
    const id = crypto.randomBytes(16).toString('hex').toUpperCase();
    const enc = await this.serial(cs, () => cs.contact.message(target.deviceJid, target.bundle, message));
    cs.sent.set(id, { id, to: phoneJid, kind, at: now(), status: 'pending' });
    this.toPhone(phoneJid, `message:${id}`, {
      tag: 'message',
      // A contact in LID addressing writes from its LID, its number as `sender_pn` (what Baileys 7 reads into remoteJidAlt).
      attrs: { ...(cs.addressing === 'lid' ? { from: cs.lid, sender_pn: cs.jid, addressing_mode: 'lid' } : { from: cs.jid }), type: req.media ? 'media' : req.reaction ? 'reaction' : 'text', id, t: unix(), notify: 'Sim contact' },
      content: [{ tag: 'enc', attrs: { v: '2', type: enc.type, ...(req.media ? { mediatype: req.media.kind } : {}) }, content: enc.body }],
    });
    this.host.record('contact-sent', phoneJid, { id, contact: cs.jid, kind, addressing: cs.addressing });
    return { id };
  }

  /** The device a contact writes to: the live one, else the last that logged in. */
  private targetDevice(phoneJid: string): { deviceJid: string; bundle: DeviceBundle } | null {
    const live = this.host.liveConnections(phoneJid).map((c) => c.deviceJid!);
    for (const deviceJid of [...live.reverse(), this.phone(phoneJid).lastDeviceJid].filter((d): d is string => !!d)) {
      const bundle = this.host.bundle(phoneJid, deviceOf(deviceJid));
      if (bundle) return { deviceJid, bundle };
    }
    return null;
  }

  close() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
