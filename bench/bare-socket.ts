// A bare Baileys socket as its users run it, shared by the benchmarks that compare the console
// with bare Baileys (density-worker.ts, messages-bare-worker.ts): useMultiFileAuthState behind
// Baileys' own makeCacheableSignalKeyStore (its documented production set-up, the same baseline as
// the key-store benchmark) and the console's socket settings (lib/sessions/socket-options.ts).
// `engine` picks the Baileys version, so each engine of the console is compared with bare Baileys
// of its own version: baileys-6 is @whiskeysockets/baileys, baileys-7 the `baileys7` alias.
import path from 'node:path';
import pino from 'pino';
import makeWASocket, { makeCacheableSignalKeyStore, useMultiFileAuthState, type WASocket } from '@whiskeysockets/baileys';
import { baseSocketOptions } from '../lib/sessions/socket-options';
import { loadBaileys7 } from '../lib/sessions/engines/baileys7';
import { trustSimulatorRoot, type CertDetails } from '../lib/sessions/engines/simulator-trust';
import type { EngineName } from '../lib/sessions/engines/types';

const silent = pino({ level: 'silent' });

/** The simulator's scan route (pairing by QR), over HTTP: the simulator runs in the parent. */
export const scanQr = (controlUrl: string, jid: string, qr: string) =>
  fetch(`${controlUrl}/phones/${jid}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr }) }).then((r) => r.json());

export interface BareOptions {
  dir: string;
  simUrl: string;
  controlUrl: string;
  keepAliveIntervalMs: number;
  /** credential writes in progress: awaited before a pairing process exits */
  writes: Promise<void>[];
  /** the Baileys version (default baileys-6) */
  engine?: EngineName;
}

/** The three functions a bare socket needs, from the Baileys version of `engine`. */
type BareApi = { makeWASocket: typeof makeWASocket; useMultiFileAuthState: typeof useMultiFileAuthState; makeCacheableSignalKeyStore: typeof makeCacheableSignalKeyStore };

async function bareApi(engine: EngineName, simUrl: string): Promise<BareApi> {
  if (engine === 'baileys-6') return { makeWASocket, useMultiFileAuthState, makeCacheableSignalKeyStore };
  const b7 = await loadBaileys7();
  // As the console does (lib/sessions/engines/baileys7.ts): Baileys 7 verifies the Noise
  // certificate against WhatsApp's root, which the simulator cannot sign with. Refused off loopback.
  trustSimulatorRoot(b7.WA_CERT_DETAILS as unknown as CertDetails, simUrl);
  // Cast: the two versions' types differ in detail, and the benchmarks use only what both have
  // (connection.update, creds.update, end, sendMessage, the raw ws stanza events).
  return { makeWASocket: b7.makeWASocket, useMultiFileAuthState: b7.useMultiFileAuthState, makeCacheableSignalKeyStore: b7.makeCacheableSignalKeyStore } as unknown as BareApi;
}

/**
 * Opens `jid`'s socket with its files under `dir`; resolves with it once open, or null when it
 * closes first (after pairing, WhatsApp closes with 515 and the next open logs in). `expectQr`:
 * pair by scanning the QR.
 */
export async function openBare(jid: string, expectQr: boolean, o: BareOptions): Promise<WASocket | null> {
  const b = await bareApi(o.engine ?? 'baileys-6', o.simUrl);
  const { state, saveCreds } = await b.useMultiFileAuthState(path.join(o.dir, jid));
  const sock: WASocket = b.makeWASocket({
    ...baseSocketOptions({ waWebSocketUrl: o.simUrl, keepAliveIntervalMs: o.keepAliveIntervalMs }),
    auth: { creds: state.creds, keys: b.makeCacheableSignalKeyStore(state.keys, silent) },
    logger: silent,
  });
  sock.ev.on('creds.update', () => void o.writes.push(saveCreds()));
  return new Promise<WASocket | null>((resolve) => {
    sock.ev.on('connection.update', (u) => {
      if (u.qr && expectQr) void scanQr(o.controlUrl, jid, u.qr);
      if (u.connection === 'open') resolve(sock);
      if (u.connection === 'close') resolve(null);
    });
  });
}

/** Pairs the phones, `concurrency` at a time, and waits for their credential files. */
export async function pairBare(jids: string[], o: BareOptions, concurrency = 50) {
  for (let i = 0; i < jids.length; i += concurrency) {
    await Promise.all(
      jids.slice(i, i + concurrency).map(async (jid) => {
        await openBare(jid, true, o); // closes with 515 after pairing
        const s = await openBare(jid, false, o);
        s?.end(undefined);
      }),
    );
  }
  await Promise.all(o.writes); // the files must be complete before the process exits
}
