// Demo and test mode only (SIMULATOR_URL set): the simulator's media host stands in for
// WhatsApp's. Its certificate authority is read from the simulator once, and an HTTPS agent
// sends every connection to a WhatsApp media host name (mmg.whatsapp.net, *.whatsapp.net) to the
// simulator, trusting only that CA; any other host name is refused, so nothing leaves loopback.
// Production (no SIMULATOR_URL) never makes this agent: Baileys' defaults reach WhatsApp's hosts.
// The simulator's own tests use this agent as their client too (the console never imports the
// simulator).
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export interface MediaHostInfo {
  caPem: string;
  host: string;
  port: number;
}

/** An agent that sends WhatsApp media host names to `info` and trusts only its CA. */
export function mediaHostAgent(info: MediaHostInfo): https.Agent {
  const isMediaHost = (name: string) => name === 'mmg.whatsapp.net' || name.endsWith('.whatsapp.net') || name === info.host || name === 'localhost';
  class MediaAgent extends https.Agent {
    createConnection(options: https.RequestOptions & tls.ConnectionOptions): Duplex {
      const name = String(options.servername || options.host || '');
      if (!isMediaHost(name)) throw new Error(`not a WhatsApp media host: ${name}`);
      return tls.connect({ ...options, host: info.host, port: info.port, servername: name === info.host ? undefined : name, ca: info.caPem });
    }
  }
  return new MediaAgent({ keepAlive: true });
}

/**
 * The media agent of demo mode, read from the simulator on first use (and again after a
 * failure); null without a simulator (production).
 */
export function simulatorMediaSource(simulatorUrl: string | undefined): () => Promise<https.Agent | null> {
  if (!simulatorUrl) return async () => null;
  let pending: Promise<https.Agent> | null = null;
  return () => {
    pending ??= (async () => {
      const res = await fetch(new URL('/media/ca', simulatorUrl), { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`simulator media host: HTTP ${res.status}`);
      return mediaHostAgent((await res.json()) as MediaHostInfo);
    })().catch((err) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}
