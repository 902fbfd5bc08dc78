// A bare Baileys socket as its users run it, shared by the benchmarks that compare the console
// with bare Baileys (density-worker.ts, messages-bare-worker.ts): useMultiFileAuthState behind
// Baileys' own makeCacheableSignalKeyStore (its documented production set-up, the same baseline as
// the key-store benchmark) and the console's socket settings (lib/sessions/socket-options.ts).
import path from 'node:path';
import pino from 'pino';
import makeWASocket, { makeCacheableSignalKeyStore, useMultiFileAuthState, type WASocket } from '@whiskeysockets/baileys';
import { baseSocketOptions } from '../lib/sessions/socket-options';

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
}

/**
 * Opens `jid`'s socket with its files under `dir`; resolves with it once open, or null when it
 * closes first (after pairing, WhatsApp closes with 515 and the next open logs in). `expectQr`:
 * pair by scanning the QR.
 */
export async function openBare(jid: string, expectQr: boolean, o: BareOptions): Promise<WASocket | null> {
  const { state, saveCreds } = await useMultiFileAuthState(path.join(o.dir, jid));
  const sock: WASocket = makeWASocket({
    ...baseSocketOptions({ waWebSocketUrl: o.simUrl, keepAliveIntervalMs: o.keepAliveIntervalMs }),
    auth: { creds: state.creds, keys: makeCacheableSignalKeyStore(state.keys, silent) },
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
