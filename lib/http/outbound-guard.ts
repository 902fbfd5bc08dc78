// Server-side requests to addresses chosen by users (a phone's proxy, an organization's webhook
// URL) must not reach the console's own network: loopback, private, link-local (cloud metadata at
// 169.254.169.254), carrier-grade NAT, multicast, reserved, unspecified, and the IPv6 forms of all
// of these (IPv4-mapped and NAT64 included). Issue 21.2.
//
// The check is made on the address actually connected to: hostnames are resolved by our lookup
// (every address returned must pass, and the connection uses one of them, so a DNS answer that
// changes between a check and the connection — rebinding — gets nowhere), IP literals are checked
// as such (the URL parser has already turned 2130706433, 0x7f000001 and 127.1 into 127.0.0.1).
// OUTBOUND_ALLOW_INTERNAL lists the internal addresses/ranges that are allowed anyway (the demo and
// the tests, whose proxies and receivers listen on loopback).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** The reason code shown for a refused target (never the address or a third party's text). */
export const INTERNAL_ADDRESS = 'internal_address';

export class OutboundRefusedError extends Error {
  readonly code = 'EOUTBOUND_REFUSED';
  constructor(readonly host: string) {
    super(`refused: ${host} is an internal address (${INTERNAL_ADDRESS}); allow it with OUTBOUND_ALLOW_INTERNAL`);
    this.name = 'OutboundRefusedError';
  }
}

const INTERNAL_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const INTERNAL_V6 = [
  ['::', 128],
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local (cloud metadata fd00:ec2::254 included)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const;

const internal = new net.BlockList();
for (const [a, p] of INTERNAL_V4) internal.addSubnet(a, p, 'ipv4');
for (const [a, p] of INTERNAL_V6) internal.addSubnet(a, p, 'ipv6');

const stripBrackets = (host: string) => host.replace(/^\[|\]$/g, '');

/** The 8 groups of an IPv6 address (a trailing dotted quad included), or null. */
function ipv6Groups(ip: string): number[] | null {
  let text = ip;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const t = part(tail);
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** `::ffff:a.b.c.d` in any spelling (`::ffff:7f00:1`…) → `a.b.c.d`; anything else unchanged. */
function unmapped(ip: string): string {
  if (net.isIP(ip) !== 6) return ip;
  const g = ipv6Groups(ip);
  if (!g || g.slice(0, 5).some((x) => x !== 0) || g[5] !== 0xffff) return ip;
  return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join('.');
}

/** Lower case, no brackets, IPv4-mapped IPv6 as the IPv4 address it is. */
const canonical = (address: string) => unmapped(stripBrackets(address.trim().toLowerCase()));

/** True for an address no user-chosen target may use (before the allow list). */
export function isInternalAddress(address: string): boolean {
  const ip = canonical(address);
  const family = net.isIP(ip);
  if (!family) return false;
  return internal.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

export class OutboundPolicy {
  private readonly allowed = new net.BlockList();

  /** `allow`: comma-separated IP addresses or CIDR ranges (OUTBOUND_ALLOW_INTERNAL). */
  constructor(allow = '') {
    for (const entry of allow.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [addr, bits] = entry.split('/');
      const ip = bits === undefined ? canonical(addr) : stripBrackets(addr.toLowerCase());
      const family = net.isIP(ip);
      if (!family) throw new Error(`"${entry}" is not an IP address or CIDR range`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.allowed.addAddress(ip, type);
      else {
        if (!/^\d+$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) throw new Error(`bad prefix in "${entry}"`);
        this.allowed.addSubnet(ip, Number(bits), type);
      }
    }
  }

  /** May a connection go to this IP address? */
  permits(address: string): boolean {
    const ip = canonical(address);
    const family = net.isIP(ip);
    if (!family) return false;
    if (!isInternalAddress(ip)) return true;
    return this.allowed.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Throws OutboundRefusedError when `host` is an IP literal that may not be used (hostnames pass: lookup() checks them). */
  checkLiteral(host: string): void {
    const ip = stripBrackets(host);
    if (net.isIP(ip) && !this.permits(ip)) throw new OutboundRefusedError(host);
  }

  /**
   * A dns.lookup for net/tls/http `lookup` options: every address the name resolves to must be
   * permitted, and the connection is made to one of them (so what is checked is what is used).
   */
  readonly lookup: net.LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return (callback as (e: Error) => void)(err);
      const list = addresses as dns.LookupAddress[];
      if (!list.length || list.some((a) => !this.permits(a.address))) {
        return (callback as (e: Error) => void)(Object.assign(new OutboundRefusedError(hostname), { hostname }));
      }
      if ((options as dns.LookupOptions).all) return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return (callback as (e: null, a: string, f: number) => void)(null, list[0].address, list[0].family);
    });
  };

  /** Checks a connected socket's peer (the last word: what was actually connected to). */
  checkSocket(socket: net.Socket, host: string): void {
    const peer = socket.remoteAddress;
    if (peer && !this.permits(peer)) {
      socket.destroy();
      throw new OutboundRefusedError(host);
    }
  }
}

export const isOutboundRefused = (err: unknown): boolean => (err as { code?: string } | null)?.code === 'EOUTBOUND_REFUSED';

/**
 * One POST to a user-chosen URL under the policy: the address connected to is checked, a
 * redirect is never followed (the 3xx is the answer), at most `timeoutMs` in all. Resolves with
 * the status code; rejects on a refused address, a network error or the deadline.
 */
export function guardedPost(url: string, opts: { headers: Record<string, string>; body: string; timeoutMs: number; outbound: OutboundPolicy }): Promise<number> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
      opts.outbound.checkLiteral(target.hostname);
    } catch (err) {
      reject(err);
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, {
      method: 'POST',
      headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) },
      lookup: opts.outbound.lookup,
      agent: false,
      timeout: opts.timeoutMs,
    });
    const deadline = setTimeout(() => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        try {
          opts.outbound.checkSocket(socket, target.hostname);
        } catch (err) {
          req.destroy(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('response', (res) => {
      res.resume(); // the body is not used
      res.on('end', () => {
        clearTimeout(deadline);
        resolve(res.statusCode ?? 0);
      });
      res.on('error', (err) => {
        clearTimeout(deadline);
        reject(err);
      });
    });
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.end(opts.body);
  });
}
