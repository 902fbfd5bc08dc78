// One client WebSocket: handshake, then binary nodes in both directions. It answers the queries a
// Baileys client makes to stay logged in, and hands registration/login to the simulator.
import { phoneLidOf } from './types';
import { encodeBinaryNode, decodeBinaryNode, proto, getBinaryNodeChild, getBinaryNodeChildren, type BinaryNode } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import { NoiseServer } from './noise';
import type { DeviceBundle } from './contacts';

export interface LinkCodeRequest {
  /** the number the client asked to be linked to */
  phoneJid: string;
  /** salt (32) | iv (16) | AES-CTR(companion ephemeral public key), keyed by the code */
  wrappedCompanionEphemeral: Buffer;
  ref: Buffer;
  /** set while the simulator waits for the client's companion_finish */
  onFinish?: (node: BinaryNode) => void;
}

export interface ConnectionHooks {
  serverStatic: { private: Uint8Array; public: Uint8Array };
  firstFrameDelayMs: number;
  /** a client that sends nothing for this long is disconnected, as WhatsApp does (0: never) */
  idleTimeoutMs?: number;
  onRegistration(conn: Connection, bundle: DeviceBundle): void;
  onLogin(conn: Connection, user: string, device: number): boolean;
  /** whether the client's WhatsApp Web version (its ClientPayload's appVersion) is accepted; refused with a 405 failure otherwise */
  acceptsVersion?(conn: Connection, version: [number, number, number]): boolean;
  onBundleUpload(conn: Connection, bundle: DeviceBundle): void;
  onKeyFetch(conn: Connection, jids: string[]): BinaryNode[];
  /** the client logged its own device out (remove-companion-device) */
  onLogout?(conn: Connection): void;
  onNode(conn: Connection, node: BinaryNode): void;
  /** queries answered elsewhere (messaging: usync, media_conn); null = not handled */
  onQuery?(conn: Connection, node: BinaryNode): BinaryNode[] | null;
  /** the client finished logging in (passive answered, offline stanzas flushed) */
  onReady?(conn: Connection): void;
  onClose(conn: Connection): void;
  log(conn: Connection, type: string, detail?: unknown): void;
}

const readUInt = (buf: Uint8Array | undefined, bytes: number) => (buf ? Buffer.from(buf).readUIntBE(0, bytes) : 0);

let nextConnId = 1;

export class Connection {
  readonly id = nextConnId++;
  private noise: NoiseServer;
  private idCounter = 0;
  phoneJid: string | null = null;
  deviceJid: string | null = null;
  /** QR refs offered to this (unpaired) client */
  refs: string[] = [];
  noiseKey: Buffer | null = null;
  registrationBundle: DeviceBundle | null = null;
  /** a pairing-code request (stage companion_hello) waiting for the phone to enter the code */
  linkCode: LinkCodeRequest | null = null;
  silenced = false;
  /**
   * Frozen one way (fault `freeze`): the TCP socket stays up and keep-alive pings are answered,
   * but every other query, message and ack from the client is ignored (no answer, no ack).
   */
  frozen = false;
  closed = false;
  /** where the client's TCP connection came from (a proxy's address when it goes through one) */
  remoteAddress: string | null = null;
  remotePort: number | null = null;
  /** the WhatsApp Web version the client announced in its login payload (a.b.c), once it did */
  appVersion: string | null = null;
  /** the server ended this connection (a stream error was sent); it closes in a moment */
  ending = false;
  /** WebSocket close code: 1000/1005 when the client closed properly, 1006 when it just vanished */
  closeCode: number | null = null;
  loggedIn = false;
  private ready: Promise<void> = Promise.resolve();
  private waiters = new Map<string, (node: BinaryNode) => void>();
  private lastHeardAt = Date.now();
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private ws: WebSocket,
    private hooks: ConnectionHooks,
  ) {
    this.noise = new NoiseServer(hooks.serverStatic);
    const idle = hooks.idleTimeoutMs ?? 0;
    if (idle > 0) {
      this.idleTimer = setInterval(() => {
        if (Date.now() - this.lastHeardAt < idle) return;
        this.hooks.log(this, 'idle-timeout', `no frame for ${idle} ms`);
        this.destroy();
      }, Math.max(50, Math.floor(idle / 4)));
    }
    ws.on('message', (data: Buffer) => {
      this.lastHeardAt = Date.now();
      // Serialize handling: the handshake is async and frames must be processed in order.
      this.ready = this.ready.then(() => this.onData(data)).catch((err) => {
        this.hooks.log(this, 'protocol-error', String(err?.message ?? err));
        this.destroy();
      });
    });
    ws.on('close', (code: number) => this.markClosed(code));
    ws.on('error', () => this.markClosed());
  }

  /**
   * Open and not being closed by either side: no stream error sent, no close frame received
   * (the ws library leaves OPEN as soon as a close frame arrives).
   */
  get live() {
    return !this.closed && !this.ending && this.ws.readyState === this.ws.OPEN;
  }

  private markClosed(code?: number) {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.closeCode = code ?? null;
    for (const resolve of this.waiters.values()) resolve({ tag: 'closed', attrs: {} });
    this.waiters.clear();
    this.hooks.onClose(this);
  }

  nextId() {
    return `sim-${this.id}-${++this.idCounter}`;
  }

  private async onData(data: Buffer) {
    if (this.closed) return;
    for (const frame of this.noise.readFrames(data)) {
      if (!this.noise.finished) await this.onHandshake(frame);
      else {
        if (this.silenced) continue;
        const node = await decodeBinaryNode(this.noise.decrypt(frame));
        this.onClientNode(node);
      }
    }
  }

  private async onHandshake(frame: Buffer) {
    const msg = proto.HandshakeMessage.decode(frame);
    if (msg.clientHello?.ephemeral) {
      this.sendRaw(await this.noise.serverHello(msg.clientHello.ephemeral));
      return;
    }
    if (!msg.clientFinish) throw new Error('unexpected handshake message');
    const { clientStatic, payload } = await this.noise.clientFinish(msg.clientFinish);
    this.noiseKey = Buffer.from(clientStatic);
    // Real servers answer after network latency; Baileys drops frames that arrive before it
    // has derived its transport keys (see the protocol notes), so wait a little.
    await new Promise((r) => setTimeout(r, this.hooks.firstFrameDelayMs));
    if (this.closed) return;
    // WhatsApp refuses a stale WhatsApp Web version with a 405 failure (Baileys #1937, #2370).
    const v = payload.userAgent?.appVersion;
    const version: [number, number, number] = [v?.primary ?? 0, v?.secondary ?? 0, v?.tertiary ?? 0];
    this.appVersion = version.join('.');
    if (this.hooks.acceptsVersion && !this.hooks.acceptsVersion(this, version)) {
      this.send({ tag: 'failure', attrs: { reason: '405', location: 'sim' } });
      setTimeout(() => this.destroy(), 50);
      return;
    }
    if (payload.devicePairingData) {
      const d = payload.devicePairingData;
      const bundle: DeviceBundle = {
        registrationId: readUInt(d.eRegid ?? undefined, 4),
        identityKey: Buffer.from(d.eIdent!),
        signedPreKey: { keyId: readUInt(d.eSkeyId ?? undefined, 3), publicKey: Buffer.from(d.eSkeyVal!), signature: Buffer.from(d.eSkeySig!) },
        preKeys: [],
      };
      this.registrationBundle = bundle;
      this.hooks.onRegistration(this, bundle);
    } else if (payload.username) {
      const ok = this.hooks.onLogin(this, String(payload.username), payload.device ?? 0);
      if (!ok) {
        this.send({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
        setTimeout(() => this.destroy(), 50);
        return;
      }
      this.loggedIn = true;
      this.send({ tag: 'success', attrs: { t: String(Math.floor(Date.now() / 1000)), lid: phoneLidOf(String(payload.username)), props: '1', abprops: '1', location: 'sim', creation: String(Math.floor(Date.now() / 1000)) } });
    } else {
      throw new Error('client payload is neither registration nor login');
    }
  }

  private onClientNode(node: BinaryNode) {
    if (this.frozen) {
      const ping = node.tag === 'iq' && node.attrs.type === 'get' && node.attrs.xmlns === 'w:p';
      if (ping) {
        this.hooks.log(this, 'ping');
        this.reply(node);
      } else this.hooks.log(this, 'frozen-drop', { tag: node.tag, xmlns: node.attrs.xmlns ?? null });
      return;
    }
    const id = node.attrs.id;
    const isAnswer = node.tag === 'receipt' || node.tag === 'ack' || (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error'));
    if (isAnswer && id && this.waiters.has(id)) {
      const resolve = this.waiters.get(id)!;
      this.waiters.delete(id);
      resolve(node);
      if (node.tag === 'iq') return;
    }
    if (node.tag === 'iq' && (node.attrs.type === 'get' || node.attrs.type === 'set')) {
      this.answerQuery(node);
      return;
    }
    this.hooks.onNode(this, node);
  }

  /** Waits for the client's node (iq result, receipt or ack) carrying this id. */
  waitFor(id: string, timeoutMs = 10_000): Promise<BinaryNode | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(id, (node) => {
        clearTimeout(timer);
        resolve(node.tag === 'closed' ? null : node);
      });
    });
  }

  reply(req: BinaryNode, content?: BinaryNode[] | Uint8Array, type = 'result') {
    this.send({ tag: 'iq', attrs: { id: req.attrs.id, type, from: req.attrs.to ?? 's.whatsapp.net' }, content });
  }

  private answerQuery(node: BinaryNode) {
    const xmlns = node.attrs.xmlns;
    const child = Array.isArray(node.content) ? (node.content[0] as BinaryNode | undefined) : undefined;
    if (xmlns === 'w:p') {
      this.hooks.log(this, 'ping');
      return this.reply(node);
    }
    if (xmlns === 'passive') {
      this.reply(node);
      // Nothing is waiting offline: let the client flush its buffered events.
      this.send({ tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: '0' } }] });
      this.hooks.onReady?.(this);
      return;
    }
    if (xmlns === 'encrypt' && node.attrs.type === 'get' && child?.tag === 'count') {
      return this.reply(node, [{ tag: 'count', attrs: { value: this.needsBundle() ? '0' : '50' } }]);
    }
    if (xmlns === 'encrypt' && node.attrs.type === 'set' && getBinaryNodeChild(node, 'identity')) {
      this.hooks.onBundleUpload(this, parseUpload(node));
      return this.reply(node);
    }
    if (xmlns === 'encrypt' && node.attrs.type === 'get' && child?.tag === 'key') {
      const jids = getBinaryNodeChildren(child, 'user').map((u) => u.attrs.jid);
      return this.reply(node, [{ tag: 'list', attrs: {}, content: this.hooks.onKeyFetch(this, jids) }]);
    }
    if (xmlns === 'encrypt' && node.attrs.type === 'set') return this.reply(node); // e.g. signed pre-key rotation
    if (xmlns === 'w' && child?.tag === 'props') return this.reply(node, [{ tag: 'props', attrs: { protocol: '2', hash: 'sim' }, content: [] }]);
    if (xmlns === 'blocklist') return this.reply(node, [{ tag: 'list', attrs: {}, content: [] }]);
    if (xmlns === 'privacy') return this.reply(node, [{ tag: 'privacy', attrs: {}, content: [] }]);
    if (xmlns === 'md' && child?.tag === 'link_code_companion_reg') return this.onLinkCode(node, child);
    if (xmlns === 'md' && child?.tag === 'remove-companion-device') {
      // The client logs its device out (Baileys' logout()): recorded so tests can see it arrived.
      this.hooks.log(this, 'logout', { jid: child.attrs.jid, reason: child.attrs.reason });
      this.hooks.onLogout?.(this);
      return this.reply(node);
    }
    const answer = this.hooks.onQuery?.(this, node);
    if (answer) return this.reply(node, answer);
    if (xmlns === 'md' || xmlns === 'w:sync:app:state' || xmlns === 'urn:xmpp:whatsapp:dirty' || xmlns === 'abt' || xmlns === 'w:stats') return this.reply(node);
    this.hooks.log(this, 'unknown-query', { xmlns, type: node.attrs.type, child: child?.tag });
    this.reply(node, [{ tag: 'error', attrs: { code: '501', text: 'feature-not-implemented' } }], 'error');
  }

  /** Pairing by code: the client's hello is kept until a phone enters the code; its finish is handed on. */
  private onLinkCode(node: BinaryNode, reg: BinaryNode) {
    const stage = reg.attrs.stage;
    if (stage === 'companion_hello') {
      const wrapped = getBinaryNodeChild(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub')?.content;
      if (!(wrapped instanceof Uint8Array) || wrapped.length < 80 || !reg.attrs.jid) {
        return this.reply(node, [{ tag: 'error', attrs: { code: '400', text: 'bad-request' } }], 'error');
      }
      const ref = Buffer.from(`sim-link-${this.id}-${Date.now()}`);
      this.linkCode = { phoneJid: reg.attrs.jid, wrappedCompanionEphemeral: Buffer.from(wrapped), ref };
      this.hooks.log(this, 'pairing-code-requested', { phoneJid: reg.attrs.jid });
      return this.reply(node, [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }] }]);
    }
    if (stage === 'companion_finish' && this.linkCode?.onFinish) return this.linkCode.onFinish(node);
    this.hooks.log(this, 'unknown-query', { xmlns: 'md', stage });
    this.reply(node, [{ tag: 'error', attrs: { code: '400', text: 'bad-request' } }], 'error');
  }

  /** Set by the simulator: whether it still needs this device's public keys. */
  needsBundle: () => boolean = () => false;

  send(node: BinaryNode) {
    if (this.closed) return;
    const encoded = encodeBinaryNode(node);
    this.sendRaw(this.noise.frame(encoded));
  }

  private sendRaw(payload: Uint8Array) {
    if (this.closed) return;
    const framed = this.noise.finished ? payload : this.noise.frame(payload);
    this.ws.send(framed);
  }

  /** Stream error then close, like the real server (e.g. 515 restart required, 401 logged out). */
  streamError(attrs: Record<string, string>, content?: BinaryNode[]) {
    this.ending = true;
    this.send({ tag: 'stream:error', attrs, content });
    setTimeout(() => this.destroy(), 100).unref();
  }

  /** Closes the TCP connection without any goodbye. */
  destroy() {
    try {
      this.ws.terminate();
    } catch {
      // already gone
    }
    this.markClosed();
  }
}

function parseUpload(node: BinaryNode): DeviceBundle {
  const buf = (n: BinaryNode | undefined) => Buffer.from((n?.content as Uint8Array) ?? []);
  const skey = getBinaryNodeChild(node, 'skey');
  const list = getBinaryNodeChild(node, 'list');
  return {
    registrationId: buf(getBinaryNodeChild(node, 'registration')).readUIntBE(0, 4),
    identityKey: buf(getBinaryNodeChild(node, 'identity')),
    signedPreKey: {
      keyId: buf(getBinaryNodeChild(skey, 'id')).readUIntBE(0, 3),
      publicKey: buf(getBinaryNodeChild(skey, 'value')),
      signature: buf(getBinaryNodeChild(skey, 'signature')),
    },
    preKeys: getBinaryNodeChildren(list, 'key').map((k) => ({
      keyId: buf(getBinaryNodeChild(k, 'id')).readUIntBE(0, 3),
      publicKey: buf(getBinaryNodeChild(k, 'value')),
    })),
  };
}
