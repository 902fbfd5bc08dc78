// Baileys 7 verifies the Noise certificate chain the server sends against WhatsApp's root public
// key. It reads that key at handshake time from the exported, unfrozen constant
// `WA_CERT_DETAILS.PUBLIC_KEY` (Defaults/index.js, used in Utils/noise-handler.js processHandshake);
// there is no socket option for it. The simulator cannot sign with WhatsApp's key, so in simulator
// mode only the console points that constant at the simulator's published test root
// (simulator/trust.ts; the key is derived from a public seed and protects nothing).
//
// Guards: the swap is refused unless every WebSocket URL the process uses is a loopback ws://
// address, so a console talking to the real service (wss://web.whatsapp.com) always verifies
// against WhatsApp's own key. The constant is process-wide: one process never mixes the two.

/** Public half of the simulator's Noise root (no version byte). Checked against simulator/trust.ts in a unit test. */
export const SIMULATOR_ROOT_PUBLIC_KEY_HEX = '52965b8da2d5326da03a60b29b37bbcc946fcd3059375c7410e1f4fc2fa0ab45';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for a URL of `protocol` on this machine: 127.x.x.x, localhost or [::1]. */
export function isLoopbackUrl(url: string, protocol: 'ws:' | 'http:'): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== protocol) return false;
  const host = parsed.hostname;
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** True for ws://127.x.x.x, ws://localhost and ws://[::1] URLs: a simulator on this machine. */
export function isLoopbackWebSocketUrl(url: string): boolean {
  return isLoopbackUrl(url, 'ws:');
}

export interface CertDetails {
  PUBLIC_KEY: Uint8Array;
  SERIAL: number;
}

/**
 * Makes Baileys 7 (its `WA_CERT_DETAILS` object) trust the simulator's root for this process.
 * Throws for a non-loopback URL: the swap must never apply to a real server.
 */
export function trustSimulatorRoot(details: CertDetails, waWebSocketUrl: string): void {
  if (!isLoopbackWebSocketUrl(waWebSocketUrl)) {
    throw new Error(`refusing to trust the simulator's Noise root for ${waWebSocketUrl}: only a loopback ws:// simulator may use it`);
  }
  details.PUBLIC_KEY = Buffer.from(SIMULATOR_ROOT_PUBLIC_KEY_HEX, 'hex');
}
