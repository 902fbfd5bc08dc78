// The WhatsApp Web simulator: one HTTP server carrying the client WebSocket (`/ws/chat`) and the
// JSON control API. See README.md.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { SimulatorCore, type SimulatorOptions, type WaVersionSettings } from './simulator';
export type { SimulatorOptions, WaVersionSettings } from './simulator';
import { controlApi } from './control-api';
import type { ConnectionInfo, FaultRequest, PhoneInfo, SimEvent } from './types';
import type { Messaging } from './messaging';
import type { MediaInfo } from './media';

export * from './types';
export type { ContactInfo, ContactSendRequest, ContactSent, InboxEntry, MessagingSettings, PhoneSent, ReceiptPolicy } from './messaging';
export type { MediaInfo } from './media';

export interface Simulator {
  /** pass to Baileys as `waWebSocketUrl` */
  url: string;
  controlUrl: string;
  port: number;
  scan(phoneJid: string, qr: string): Promise<{ deviceJid: string }>;
  /** the phone types the pairing code a client showed (pairing by phone number) */
  enterCode(phoneJid: string, code: string): Promise<{ deviceJid: string }>;
  inject(phoneJid: string, fault: FaultRequest): Promise<{ delivered: number }>;
  phones(): PhoneInfo[];
  /** live client connections, with the address and port each came from */
  connections(): ConnectionInfo[];
  events(since?: number): SimEvent[];
  /** with `registryFile`: registers devices linked before the registry existed (SimulatorCore.adoptLinked) */
  adoptLinked(devices: { phoneJid: string; device: number }[]): void;
  /** the version served at `/wa-version/sw.js` (`client_revision`) and the oldest revision accepted (older: a 405 failure at login) */
  setWaVersion(settings: Partial<WaVersionSettings>): WaVersionSettings;
  /** contacts, inboxes, receipts, ack switches (the control API's messaging routes, in-process) */
  messaging: Messaging;
  /** the HTTPS media host: its CA (PEM), address and the WhatsApp hostnames to map to it */
  media: MediaInfo;
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions & { port?: number; host?: string; mediaPort?: number } = {}): Promise<Simulator> {
  const core = new SimulatorCore({ mediaHost: opts.host ?? '127.0.0.1', ...opts });
  const server = http.createServer(controlApi(core));
  const wss = new WebSocketServer({ server, path: '/ws/chat', maxPayload: 16 * 1024 * 1024 });
  wss.on('connection', (ws, req) => core.accept(ws, { remoteAddress: req.socket.remoteAddress ?? null, remotePort: req.socket.remotePort ?? null }));
  const host = opts.host ?? '127.0.0.1';
  await core.messaging.media.listen(opts.mediaPort ?? 0);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3001, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://${host}:${port}/ws/chat`,
    controlUrl: `http://${host}:${port}`,
    port,
    scan: (phoneJid, qr) => core.scan(phoneJid, qr),
    enterCode: (phoneJid, code) => core.enterCode(phoneJid, code),
    inject: (phoneJid, fault) => core.inject(phoneJid, fault),
    phones: () => core.phoneList(),
    connections: () => core.connectionList(),
    events: (since) => core.eventsSince(since),
    adoptLinked: (devices) => core.adoptLinked(devices),
    setWaVersion: (settings) => core.setWaVersion(settings),
    messaging: core.messaging,
    get media() {
      return core.messaging.media.info();
    },
    async close() {
      await core.close();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
