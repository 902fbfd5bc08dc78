// Real proxies on loopback for tests: an HTTP CONNECT proxy (npm `proxy`) and a SOCKS5 proxy
// (npm `@pondwader/socks5-server`), each counting the tunnels it carried and able to stop (all
// its connections cut, like a proxy that dies) and start again on the same port.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createProxy } from 'proxy';
import { createServer as createSocksServer, defaultConnectionHandler } from '@pondwader/socks5-server';

export interface TestProxy {
  url: string;
  port: number;
  /** tunnels opened to a target (after authentication) */
  tunnels: number;
  /** CONNECT / SOCKS requests refused for bad credentials */
  refused: number;
  /** local ports of the proxy's own connections to targets (what the target sees as the peer) */
  targetPorts: Set<number>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function track(sockets: Set<net.Socket>, socket: net.Socket) {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
}

/** A proxy's fields before its first start: nothing carried yet. */
function notStarted(port = 0) {
  return { url: '', port, tunnels: 0, refused: 0, targetPorts: new Set<number>() };
}

/** The proxy's URL on loopback, with its credentials when it has any. */
function proxyUrl(scheme: 'http' | 'socks5', opts: { username?: string; password?: string }, port: number) {
  const auth = opts.username !== undefined ? `${encodeURIComponent(opts.username)}:${encodeURIComponent(opts.password ?? '')}@` : '';
  return `${scheme}://${auth}127.0.0.1:${port}`;
}

async function closeServer(server: net.Server, sockets: Set<net.Socket>) {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sockets) s.destroy();
  await closed;
}

/**
 * HTTP CONNECT proxy. Its connections to targets leave from `localAddress` (127.0.0.2 by default),
 * so a server can tell them from direct connections (127.0.0.1).
 */
export async function startHttpProxy(opts: { username?: string; password?: string; localAddress?: string; port?: number } = {}): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  let server: http.Server;
  const proxy: TestProxy = {
    ...notStarted(opts.port),
    async start() {
      server = createProxy(http.createServer());
      const p = server as ReturnType<typeof createProxy>;
      p.localAddress = opts.localAddress ?? '127.0.0.2';
      p.authenticate = (req) => {
        const ok = opts.username === undefined || req.headers['proxy-authorization'] === `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
        if (ok) proxy.tunnels++;
        else proxy.refused++;
        return ok;
      };
      server.on('connection', (s: net.Socket) => track(sockets, s));
      await new Promise<void>((resolve) => server.listen(proxy.port, '127.0.0.1', resolve));
      proxy.port = (server.address() as AddressInfo).port;
      proxy.url = proxyUrl('http', opts, proxy.port);
    },
    stop: () => closeServer(server, sockets),
  };
  await proxy.start();
  return proxy;
}

/** SOCKS5 proxy; its target connections are recorded by local port. */
export async function startSocksProxy(opts: { username?: string; password?: string; port?: number } = {}): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  let server: ReturnType<typeof createSocksServer>;
  const proxy: TestProxy = {
    ...notStarted(opts.port),
    async start() {
      server = createSocksServer(opts.username !== undefined ? { auth: { username: opts.username, password: opts.password ?? '' } } : undefined);
      if (opts.username !== undefined) {
        server.setAuthHandler((conn) => {
          const ok = conn.username === opts.username && conn.password === (opts.password ?? '');
          if (!ok) proxy.refused++;
          return ok;
        });
      }
      server.setConnectionHandler((conn, sendStatus) => {
        proxy.tunnels++;
        track(sockets, conn.socket as net.Socket);
        const target = defaultConnectionHandler(conn, sendStatus);
        if (target) {
          track(sockets, target);
          target.once('connect', () => proxy.targetPorts.add(target.localPort!));
        }
      });
      const inner = (server as unknown as { server: net.Server }).server;
      inner.on('connection', (s: net.Socket) => track(sockets, s));
      await new Promise<void>((resolve) => server.listen(proxy.port, '127.0.0.1', () => resolve()));
      proxy.port = (inner.address() as AddressInfo).port;
      proxy.url = proxyUrl('socks5', opts, proxy.port);
    },
    stop: () => closeServer((server as unknown as { server: net.Server }).server, sockets),
  };
  await proxy.start();
  return proxy;
}

/** A TCP server that accepts and never answers: a proxy that hangs. */
export async function startSilentServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => track(sockets, s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, stop: () => closeServer(server, sockets) };
}

/** A loopback port nobody listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A plain TCP proxy on loopback (in front of PostgreSQL in the fleet tests and bench). */
export interface TcpProxy {
  port: number;
  /** Resets every connection through it and refuses new ones: a link reset (a firewall, a restart). */
  reset(): void;
  /**
   * Stops forwarding without resetting anything: both ends keep their connections, no byte and no
   * close passes, new connections are accepted and never answered (a silent partition: packets
   * dropped).
   */
  cut(): void;
  /** Forwards again, for new connections (the ones held through a cut stay dead). */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let mode: 'forward' | 'cut' | 'refuse' = 'forward';
  const hold = ([client, upstream]: [net.Socket, net.Socket]) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };
  const server = net.createServer((client) => {
    track(sockets, client);
    client.on('error', () => {});
    if (mode === 'refuse') return void client.resetAndDestroy();
    if (mode === 'cut') return void client.pause();
    const upstream = net.connect(target.port, target.host);
    track(sockets, upstream);
    upstream.on('error', () => {});
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    // A close passes through, except after a cut: then neither end hears of the other's close
    // either (a partition drops the FIN too), until the proxy itself closes.
    const drop = () => {
      if (mode === 'cut') return;
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', drop);
    upstream.once('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    reset() {
      mode = 'refuse';
      for (const s of sockets) s.resetAndDestroy();
    },
    cut() {
      mode = 'cut';
      for (const pair of pairs) hold(pair);
    },
    restore() {
      mode = 'forward';
    },
    close: () => closeServer(server, sockets),
  };
}
