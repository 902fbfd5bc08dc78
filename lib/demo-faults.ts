// Demo mode only: forwards a fault to the WhatsApp simulator for one phone, so a person can watch
// the console react. Audited like every other action on a phone (who injected what, and whether
// the simulator took it).
import type { Actor } from './auth/roles';
import { recordAudit } from './audit';
import { getDb } from './db/client';
import { ConflictError, NotFoundError, UnavailableError, UpstreamError } from './errors';
import { getSession } from './phones/service';

export interface DemoFault {
  phoneId: number;
  type: string;
  count: number;
  via?: 'pkmsg' | 'msg';
}

/** Asks the simulator at `simulatorUrl` to send the fault; resolves to how many it delivered. */
export async function injectDemoFault(simulatorUrl: string | undefined, fault: DemoFault, actor: Actor | null): Promise<{ delivered: number }> {
  if (!simulatorUrl) throw new NotFoundError('Demo mode is off (SIMULATOR_URL is not set)');
  const session = await getSession(fault.phoneId);
  const audit = (result: 'ok' | 'error', detail: Record<string, unknown>) =>
    recordAudit(getDb(), { actor, action: 'demo.fault', targetType: 'phone', targetId: fault.phoneId, result, detail: { type: fault.type, count: fault.count, via: fault.via, ...detail } });
  const res = await fetch(`${simulatorUrl}/phones/${encodeURIComponent(session.phoneJid)}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: fault.type, count: fault.count, via: fault.via }),
  }).catch(async (err: Error) => {
    await audit('error', { error: 'simulator unreachable' });
    throw new UnavailableError(`Simulator unreachable: ${err.message}`, 'simulator');
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string; delivered?: number };
  if (!res.ok) {
    await audit('error', { error: data.error ?? String(res.status) });
    // 404: the simulator does not hold this phone (not paired there): a conflict with the state.
    if (res.status === 404) throw new ConflictError(`Simulator: ${data.error ?? res.status}`);
    throw new UpstreamError(`Simulator: ${data.error ?? res.status}`, 'simulator');
  }
  const delivered = data.delivered ?? 0;
  await audit('ok', { delivered });
  return { delivered };
}

