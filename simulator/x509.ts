// A throwaway certificate authority for the simulator's HTTPS media host, made with node:crypto
// only: P-256 keys, a hand-written DER encoding of X.509 v3 and ECDSA-SHA256 signatures. Made at
// every simulator start; the console trusts the CA's PEM in demo and test mode only.
import crypto from 'node:crypto';
import net from 'node:net';

const der = (tag: number, body: Buffer): Buffer => {
  const len = body.length;
  const head =
    len < 0x80 ? Buffer.from([tag, len]) : len < 0x100 ? Buffer.from([tag, 0x81, len]) : len < 0x10000 ? Buffer.from([tag, 0x82, len >> 8, len & 0xff]) : Buffer.from([tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff]);
  return Buffer.concat([head, body]);
};
const seq = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const oid = (dotted: string): Buffer => {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
};
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));
const octets = (b: Buffer) => der(0x04, b);
const bits = (b: Buffer) => der(0x03, Buffer.concat([Buffer.from([0]), b]));
const bool = (v: boolean) => der(0x01, Buffer.from([v ? 0xff : 0]));
/** A non-negative INTEGER in DER's one encoding: no leading zero bytes, one added when the high bit is set. */
const integer = (b: Buffer) => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return der(0x02, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
};
const time = (d: Date) => der(0x18, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z')); // GeneralizedTime
const explicit = (n: number, body: Buffer) => der(0xa0 + n, body);

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

function subjectAltNames(names: string[]): Buffer {
  return seq(
    ...names.map((n) => {
      if (net.isIP(n) === 4) return der(0x87, Buffer.from(n.split('.').map(Number)));
      return der(0x82, Buffer.from(n, 'ascii')); // dNSName
    }),
  );
}

function certificate(opts: { subject: string; issuer: string; publicKey: crypto.KeyObject; signer: crypto.KeyObject; ca: boolean; altNames?: string[] }): string {
  const now = Date.now();
  const extensions = [
    extension('2.5.29.19', true, opts.ca ? seq(bool(true)) : seq()), // basicConstraints
    extension('2.5.29.15', true, bits(Buffer.from([opts.ca ? 0x06 : 0xa0]))), // keyUsage: keyCertSign|cRLSign, or digitalSignature|keyEncipherment
  ];
  if (opts.altNames) {
    extensions.push(extension('2.5.29.17', false, subjectAltNames(opts.altNames)));
    extensions.push(extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1')))); // extKeyUsage: serverAuth
  }
  const tbs = seq(
    explicit(0, der(0x02, Buffer.from([2]))), // v3
    integer(crypto.randomBytes(16)),
    ECDSA_SHA256,
    name(opts.issuer),
    seq(time(new Date(now - 3600_000)), time(new Date(now + 365 * 86400_000))),
    name(opts.subject),
    opts.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = crypto.sign('sha256', tbs, opts.signer); // DER-encoded ECDSA signature
  const cert = seq(tbs, ECDSA_SHA256, bits(signature));
  return `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export interface MediaTls {
  /** the CA certificate (PEM) a client must trust */
  caPem: string;
  /** the host certificate (PEM) and its key, for the HTTPS server */
  cert: string;
  key: string;
}

/** A new CA and a host certificate it signed, valid for these names (DNS names or IPv4). */
export function makeMediaTls(altNames: string[]): MediaTls {
  const ca = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const host = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = `WhatsApp simulator CA ${crypto.randomBytes(4).toString('hex')}`;
  return {
    caPem: certificate({ subject: caName, issuer: caName, publicKey: ca.publicKey, signer: ca.privateKey, ca: true }),
    cert: certificate({ subject: altNames[0], issuer: caName, publicKey: host.publicKey, signer: ca.privateKey, ca: false, altNames }),
    key: host.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
