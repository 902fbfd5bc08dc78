// Proxy URLs: parsing and validating them, and showing them without the password. Pure (no
// Node networking), so the config, the API schemas and the UI can all use it.
import { z } from 'zod';

export const PROXY_SCHEMES = ['http', 'https', 'socks5', 'socks5h'] as const;
export type ProxyScheme = (typeof PROXY_SCHEMES)[number];
const DEFAULT_PORT: Record<ProxyScheme, number> = { http: 80, https: 443, socks5: 1080, socks5h: 1080 };

export interface ParsedProxy {
  scheme: ProxyScheme;
  host: string;
  port: number;
  username: string | null;
  password: string | null;
  /** scheme://[user[:password]@]host:port, the form stored */
  url: string;
}

export class ProxyUrlError extends Error {}

/** Parses and normalises a proxy URL; throws ProxyUrlError with a message fit for a 400. */
export function parseProxyUrl(input: string): ParsedProxy {
  const text = input.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ProxyUrlError('proxyUrl must be a URL like http://host:port or socks5://user:password@host:port');
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if (!(PROXY_SCHEMES as readonly string[]).includes(scheme)) {
    throw new ProxyUrlError(`proxyUrl scheme must be one of ${PROXY_SCHEMES.map((s) => `${s}://`).join(', ')} (got ${scheme}://)`);
  }
  if (!u.hostname) throw new ProxyUrlError('proxyUrl must name a host');
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash) throw new ProxyUrlError('proxyUrl must be scheme://[user:password@]host[:port] with no path');
  const s = scheme as ProxyScheme;
  const port = u.port ? Number(u.port) : DEFAULT_PORT[s];
  const username = u.username ? decodeURIComponent(u.username) : null;
  const password = u.password ? decodeURIComponent(u.password) : null;
  const auth = u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';
  return { scheme: s, host: u.hostname, port, username, password, url: `${s}://${auth}${u.hostname}:${port}` };
}

/** The zod field for request bodies: a valid proxy URL (normalised), or null to clear. */
export const proxyUrlSchema = z
  .string()
  .trim()
  .max(2048, 'proxyUrl is at most 2048 characters')
  .transform((value, ctx) => {
    try {
      return parseProxyUrl(value).url;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

/** host:port, never credentials: for lists, metrics and logs. */
export function proxyHost(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const p = parseProxyUrl(url);
    return `${p.host}:${p.port}`;
  } catch {
    return null;
  }
}

/** The URL with its password masked: `http://user:****@host:port`. What the API and UI show. */
export function maskProxyUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const p = parseProxyUrl(url);
    const user = p.username !== null ? `${encodeURIComponent(p.username)}${p.password !== null ? ':****' : ''}@` : '';
    return `${p.scheme}://${user}${p.host}:${p.port}`;
  } catch {
    return '(invalid proxy URL)';
  }
}

/** Masks the password of every `scheme://user:password@` in a text (error messages, logs). */
export function redactUrlPasswords(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi, '$1****@');
}
