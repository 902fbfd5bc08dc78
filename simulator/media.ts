// WhatsApp's media hosts, simulated: an HTTPS server with its own certificate authority that takes
// Baileys' uploads (`POST /mms/<type>/<fileEncSha256>?auth=…&token=…`, the body already encrypted
// by the client) and serves downloads by `directPath`. Media is end-to-end encrypted like the real
// thing: AES-256-CBC under keys derived from a per-file mediaKey, plus a 10-byte HMAC. See README.
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { getMediaKeys } from '@whiskeysockets/baileys';
import { makeMediaTls, type MediaTls } from './x509';

/** The hostnames WhatsApp's media traffic goes to; the simulator's certificate covers them. */
export const MEDIA_HOSTNAMES = ['mmg.whatsapp.net', '*.whatsapp.net', '*.cdn.whatsapp.net'];
/** What `media_conn` offers as upload host (Baileys builds `https://${hostname}${path}`). */
export const UPLOAD_HOSTNAME = 'mmg.whatsapp.net';
/** The media kinds contacts send and receive, with Baileys' HKDF media type. */
export const MEDIA_KINDS = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export interface MediaInfo {
  /** trust this CA (PEM) for the media host, in demo and test mode only */
  caPem: string;
  /** where the media host listens: map every WhatsApp media hostname to it */
  host: string;
  port: number;
  /** hostnames to map (the host certificate is valid for these, and for 127.0.0.1 / localhost) */
  hostnames: string[];
  /** the auth token `media_conn` hands out; uploads without it get 401 */
  auth: string;
}

export interface EncryptedMedia {
  mediaKey: Buffer;
  /** ciphertext ‖ mac(10): what is uploaded */
  enc: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
}

const hkdfType = (kind: MediaKind) => (kind === 'sticker' ? 'sticker' : kind);

/** Encrypts a file the way WhatsApp clients do before uploading it. */
export async function encryptMedia(data: Buffer, kind: MediaKind): Promise<EncryptedMedia> {
  const mediaKey = crypto.randomBytes(32);
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, hkdfType(kind));
  const cipher = crypto.createCipheriv('aes-256-cbc', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  const mac = crypto.createHmac('sha256', macKey!).update(iv).update(ciphertext).digest().subarray(0, 10);
  const enc = Buffer.concat([ciphertext, mac]);
  return {
    mediaKey,
    enc,
    fileSha256: crypto.createHash('sha256').update(data).digest(),
    fileEncSha256: crypto.createHash('sha256').update(enc).digest(),
    fileLength: data.length,
  };
}

/** Checks the MAC and decrypts an uploaded file with the mediaKey from the message. */
export async function decryptMedia(enc: Buffer, mediaKey: Uint8Array, kind: MediaKind): Promise<Buffer> {
  const { iv, cipherKey, macKey } = await getMediaKeys(Buffer.from(mediaKey), hkdfType(kind));
  const ciphertext = enc.subarray(0, enc.length - 10);
  const mac = crypto.createHmac('sha256', macKey!).update(iv).update(ciphertext).digest().subarray(0, 10);
  if (!crypto.timingSafeEqual(mac, enc.subarray(enc.length - 10))) throw new Error('media MAC mismatch');
  const decipher = crypto.createDecipheriv('aes-256-cbc', cipherKey, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

const MAX_UPLOAD = 64 * 1024 * 1024;
const MAX_STORED = 256 * 1024 * 1024;

export class MediaHost {
  private readonly tls: MediaTls;
  private readonly server: https.Server;
  /** directPath without its query → encrypted bytes (oldest first, bounded) */
  private files = new Map<string, Buffer>();
  private stored = 0;
  readonly auth = crypto.randomBytes(24).toString('base64url');
  port = 0;

  constructor(
    readonly host: string,
    private log: (type: string, detail?: unknown) => void,
  ) {
    this.tls = makeMediaTls([UPLOAD_HOSTNAME, ...MEDIA_HOSTNAMES.slice(1), 'localhost', host === 'localhost' ? '127.0.0.1' : host]);
    this.server = https.createServer({ cert: this.tls.cert, key: this.tls.key }, (req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String((err as Error)?.message ?? err) }));
      });
    });
  }

  async listen(port = 0) {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  info(): MediaInfo {
    return { caPem: this.tls.caPem, host: this.host, port: this.port, hostnames: [...MEDIA_HOSTNAMES], auth: this.auth };
  }

  /** Stores an encrypted file; returns its directPath and the full URL a message carries. */
  put(kind: string, enc: Buffer): { directPath: string; url: string } {
    const hash = crypto.createHash('sha256').update(enc).digest('hex');
    const path = `/v/t62.7118-24/sim-${kind}-${hash}.enc`;
    const directPath = `${path}?ccb=11-4&oh=${crypto.randomBytes(8).toString('hex')}&oe=${Math.floor(Date.now() / 1000 + 14 * 86400).toString(16).toUpperCase()}&_nc_sid=5e03e0&mms3=true`;
    if (!this.files.has(path)) {
      this.files.set(path, enc);
      this.stored += enc.length;
      for (const [old, buf] of this.files) {
        if (this.stored <= MAX_STORED) break;
        this.files.delete(old);
        this.stored -= buf.length;
      }
    }
    return { directPath, url: `https://${UPLOAD_HOSTNAME}${directPath}` };
  }

  /** The encrypted bytes behind a directPath or URL, if the host holds them. */
  get(directPathOrUrl: string): Buffer | undefined {
    const path = directPathOrUrl.replace(/^https:\/\/[^/]+/, '').split('?')[0];
    return this.files.get(path);
  }

  private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://media');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname.startsWith('/mms/')) {
      if (url.searchParams.get('auth') !== this.auth) return json(401, { error: 'bad auth' });
      const kind = url.pathname.split('/')[2] ?? 'file';
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += chunk.length;
        if (size > MAX_UPLOAD) return json(413, { error: 'too large' });
        chunks.push(chunk);
      }
      const enc = Buffer.concat(chunks);
      // The path names the file's encrypted SHA-256 (base64url): a corrupted upload is refused.
      const claimed = decodeURIComponent(url.pathname.split('/')[3] ?? '');
      if (claimed && crypto.createHash('sha256').update(enc).digest('base64url') !== claimed.replace(/=+$/, '')) {
        this.log('media-upload-refused', { kind, bytes: enc.length, reason: 'hash mismatch' });
        return json(400, { error: 'hash mismatch' });
      }
      const { directPath, url: mediaUrl } = this.put(kind, enc);
      this.log('media-upload', { kind, bytes: enc.length });
      return json(200, { url: mediaUrl, direct_path: directPath });
    }
    if (req.method === 'GET') {
      const enc = this.files.get(url.pathname);
      if (!enc) return json(404, { error: 'no such media' });
      this.log('media-download', { bytes: enc.length });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(enc.length) });
      return res.end(enc);
    }
    json(404, { error: `no route ${req.method} ${url.pathname}` });
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
