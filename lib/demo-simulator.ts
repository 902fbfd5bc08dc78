// Demo mode only (SIMULATOR_URL set): the one way the console calls the WhatsApp simulator's
// control API (faults in demo-faults.ts, pairing in demo-pairing.ts). The simulator must run on
// this machine: a SIMULATOR_URL that is not a loopback http:// address is treated as demo mode
// being off, so a misconfigured production console never sends a pairing secret elsewhere.
import { NotFoundError, UnavailableError } from './errors';
import { isLoopbackUrl } from './sessions/engines/simulator-trust';

/** The simulator's control URL when demo mode is on (set and loopback), else null. */
export function demoSimulatorUrl(simulatorUrl: string | undefined): string | null {
  return simulatorUrl && isLoopbackUrl(simulatorUrl, 'http:') ? simulatorUrl.replace(/\/+$/, '') : null;
}

/** Throws 404 unless demo mode is on; the simulator's control URL. */
export function requireDemoSimulator(simulatorUrl: string | undefined): string {
  const url = demoSimulatorUrl(simulatorUrl);
  if (!url) throw new NotFoundError(simulatorUrl ? 'Demo mode is off (SIMULATOR_URL is not a loopback http:// address)' : 'Demo mode is off (SIMULATOR_URL is not set)');
  return url;
}

export interface SimulatorAnswer<T> {
  ok: boolean;
  status: number;
  data: T & { error?: string };
}

/** POSTs JSON to the simulator; a network failure is a 503 `simulator` (the caller audits it first through `onUnreachable`). */
export async function simulatorPost<T>(baseUrl: string, path: string, body: unknown, onUnreachable?: () => Promise<unknown>): Promise<SimulatorAnswer<T>> {
  const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), redirect: 'error' }).catch(async (err: Error) => {
    await onUnreachable?.();
    throw new UnavailableError(`Simulator unreachable: ${err.message}`, 'simulator');
  });
  const data = (await res.json().catch(() => ({}))) as T & { error?: string };
  return { ok: res.ok, status: res.status, data };
}
