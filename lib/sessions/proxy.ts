// A phone's proxy at run time: the agents Baileys gets (WebSocket and HTTP fetches), and turning
// a proxy failure into a reason a person can act on ("proxy unreachable: ECONNREFUSED 127.0.0.1:1080", "proxy authentication failed").
import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { parseProxyUrl, type ParsedProxy } from './proxy-url';
import { INTERNAL_ADDRESS, isOutboundRefused, OutboundPolicy } from '../http/outbound-guard';

export { maskProxyUrl, parseProxyUrl, proxyHost, proxyUrlSchema } from './proxy-url';

// ---- failures -------------------------------------------------------------------------------

export type ProxyFailureKind = 'unreachable' | 'auth' | 'refused' | 'timeout' | 'error';

/** A failure to open a tunnel through the proxy. Its message is the phone's close reason. */
export class ProxyError extends Error {
  /** starts with E so Baileys maps it to 408 (a retryable close), like a network error */
  readonly code: string;
  constructor(
    readonly kind: ProxyFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ProxyError';
    this.code = `EPROXY_${kind.toUpperCase()}`;
  }
}

const NET_CODES = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|ECONNABORTED)\b/;

/** Maps what an agent threw while opening a tunnel to a ProxyError. */
export function toProxyError(err: unknown, proxy: { host: string; port: number }): ProxyError {
  if (err instanceof ProxyError) return err;
  // An internal address (issue 21.2): the reason code only, never the address looked up.
  if (isOutboundRefused(err)) return new ProxyError('refused', `proxy address not allowed: ${INTERNAL_ADDRESS}`);
  const e = err as { code?: string; message?: string; address?: string; port?: number; name?: string };
  const message = String(e?.message ?? err);
  const code = e?.code && NET_CODES.test(e.code) ? e.code : message.match(NET_CODES)?.[1];
  if (code) {
    const where = e?.address ? `${e.address}${e.port ? `:${e.port}` : ''}` : (message.match(/\b(\d{1,3}(?:\.\d{1,3}){3}:\d+|\[[0-9a-f:]+\]:\d+)/i)?.[1] ?? `${proxy.host}:${proxy.port}`);
    return new ProxyError('unreachable', `proxy unreachable: ${code} ${where}`);
  }
  if (/authentication failed|no accepted authentication type/i.test(message)) return new ProxyError('auth', 'proxy authentication failed');
  if (/timed out/i.test(message) || e?.name === 'AbortError') return new ProxyError('timeout', `proxy timed out: ${proxy.host}:${proxy.port} did not open the tunnel in time`);
  if (/rejected connection/i.test(message)) return new ProxyError('refused', `proxy refused the tunnel: ${message}`);
  if (/socket closed/i.test(message)) return new ProxyError('unreachable', `proxy unreachable: ${proxy.host}:${proxy.port} closed the connection`);
  return new ProxyError('error', `proxy error: ${message}`);
}

/** The ProxyError inside a Baileys close error (Boom keeps the WebSocket error as `data`). */
export function proxyErrorOf(err: unknown): ProxyError | null {
  const e = err as { data?: unknown; cause?: unknown } | undefined;
  if (err instanceof ProxyError) return err;
  if (e?.data instanceof ProxyError) return e.data;
  if (e?.cause instanceof ProxyError) return e.cause;
  return null;
}

// ---- agents -------------------------------------------------------------------------------

export interface ProxyAgents {
  /** for the WebSocket (Baileys `agent`) */
  agent: Agent;
  /** for Baileys' media uploads (`fetchAgent`) and its axios requests (`options`) */
  fetchAgent: Agent;
  options: { httpAgent: Agent; httpsAgent: Agent; proxy: false };
  host: string;
}

type ConnectFn = (req: ClientRequest, opts: { host?: string; port?: number; secureEndpoint?: boolean }) => Promise<Socket>;

/**
 * Opens tunnels with a deadline and clear errors: a proxy that refuses, rejects credentials or
 * does not answer fails the request with a ProxyError instead of hanging or being reported as a
 * WhatsApp error. A tunnel that opens after the deadline is closed at once.
 */
async function guardedConnect(proxy: ParsedProxy, timeoutMs: number, connect: () => Promise<Socket>, onTimeout?: () => void): Promise<Socket> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const pending = Promise.resolve().then(connect);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      onTimeout?.();
      reject(new ProxyError('timeout', `proxy timed out: ${proxy.host}:${proxy.port} did not open the tunnel within ${Math.round(timeoutMs / 100) / 10} s`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([pending, deadline]);
  } catch (err) {
    if (timedOut) {
      pending.then((late) => late.destroy(), () => {});
      throw err;
    }
    throw toProxyError(err, proxy);
  } finally {
    clearTimeout(timer);
  }
}

class GuardedHttpProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    private readonly parsed: ParsedProxy,
    private readonly timeoutMs: number,
    private readonly outbound: OutboundPolicy,
  ) {
    // The proxy's name is resolved by the policy's lookup: an internal address is refused.
    super(parsed.url, { lookup: outbound.lookup });
  }

  override async connect(req: ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
    // An abort signal per tunnel, so a proxy that never answers CONNECT is hung up on.
    const controller = new AbortController();
    const base = this.connectOpts;
    let status = 200;
    let statusText = '';
    const onProxyConnect = (c: { statusCode: number; statusText?: string }) => {
      status = c.statusCode;
      statusText = c.statusText ?? '';
    };
    req.once('proxyConnect', onProxyConnect);
    const socket = await guardedConnect(
      this.parsed,
      this.timeoutMs,
      () => {
        this.outbound.checkLiteral(this.parsed.host);
        this.connectOpts = { ...base, signal: controller.signal } as typeof base;
        try {
          return (super.connect as ConnectFn).call(this, req, opts);
        } finally {
          this.connectOpts = base; // read synchronously by connect(): only this tunnel has the signal
        }
      },
      () => controller.abort(),
    );
    req.off('proxyConnect', onProxyConnect);
    if (status !== 200) {
      // https-proxy-agent hands back a fake socket replaying the proxy's answer; the WebSocket
      // would wait for its handshake timeout. Fail now with what the proxy said.
      socket.destroy();
      if (status === 407) throw new ProxyError('auth', 'proxy authentication failed');
      // The status only: the proxy's own text is a third party's and reaches read tokens (issue 21.2).
      void statusText;
      throw new ProxyError('refused', `proxy refused the tunnel: HTTP ${status}`);
    }
    return socket;
  }
}

class GuardedSocksProxyAgent extends SocksProxyAgent {
  constructor(
    private readonly parsed: ParsedProxy,
    private readonly timeoutMs: number,
    private readonly outbound: OutboundPolicy,
  ) {
    // socket_options reach net.connect to the proxy: its name is resolved by the policy's lookup.
    super(parsed.url, { socketOptions: { lookup: outbound.lookup } as never });
  }

  override async connect(req: ClientRequest, opts: Parameters<SocksProxyAgent['connect']>[1]) {
    return guardedConnect(this.parsed, this.timeoutMs, () => {
      this.outbound.checkLiteral(this.parsed.host);
      return (super.connect as ConnectFn).call(this, req, opts);
    });
  }
}

export const DEFAULT_PROXY_CONNECT_TIMEOUT_MS = 10_000;

/** The agents for one socket: every connection of that phone goes through its proxy. */
export function createProxyAgents(url: string, opts: { connectTimeoutMs?: number; outbound: OutboundPolicy }): ProxyAgents {
  const parsed = parseProxyUrl(url);
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_PROXY_CONNECT_TIMEOUT_MS;
  const agent: Agent =
    parsed.scheme === 'http' || parsed.scheme === 'https' ? new GuardedHttpProxyAgent(parsed, timeoutMs, opts.outbound) : new GuardedSocksProxyAgent(parsed, timeoutMs, opts.outbound);
  return {
    agent,
    fetchAgent: agent,
    // axios: both protocols through the proxy, and never its own env-based proxy on top
    options: { httpAgent: agent, httpsAgent: agent, proxy: false },
    host: `${parsed.host}:${parsed.port}`,
  };
}
