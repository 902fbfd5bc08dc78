// The client's address as the console sees it: the TCP peer, or — only when that peer is a proxy
// the operator listed in TRUSTED_PROXIES — the nearest untrusted hop of X-Forwarded-For. Computed
// once per request by the HTTP edge (lib/http/edge.ts) and passed to the app in CLIENT_IP_HEADER;
// any incoming header of that name is dropped first, so a client cannot choose its address.
import net from 'node:net';

/** Set by the edge server on every request; never taken from the client. */
export const CLIENT_IP_HEADER = 'x-console-client-ip';

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything else unchanged (lower-cased). */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped ? mapped[1] : a;
}

export class TrustedProxies {
  private readonly list = new net.BlockList();
  readonly size: number;

  /** `spec`: comma-separated IPs and CIDR ranges, e.g. `127.0.0.1, 10.0.0.0/8, ::1`. */
  constructor(spec = '') {
    const entries = spec.split(',').map((s) => s.trim()).filter(Boolean);
    for (const entry of entries) {
      const [addr, bits] = entry.split('/');
      const ip = normalizeAddress(addr);
      const type = net.isIP(ip);
      if (!type) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
      const family = type === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(ip, family);
      else {
        const prefix = Number(bits);
        if (!/^\d+$/.test(bits) || prefix > (type === 4 ? 32 : 128)) throw new Error(`TRUSTED_PROXIES: bad prefix in "${entry}"`);
        this.list.addSubnet(ip, prefix, family);
      }
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    if (!this.size) return false;
    const ip = normalizeAddress(address);
    const type = net.isIP(ip);
    return type !== 0 && this.list.check(ip, type === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * The peer address, or the rightmost X-Forwarded-For hop that is not a trusted proxy when the
 * peer is one. Malformed hops end the walk (the last trusted hop is used).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string {
  let current = normalizeAddress(peer || 'unknown');
  if (!trusted.has(current) || !forwardedFor) return current;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => normalizeAddress(h));
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!net.isIP(hops[i])) break;
    current = hops[i];
    if (!trusted.has(current)) break;
  }
  return current;
}
