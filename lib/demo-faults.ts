// Demo mode only: forwards a fault to the WhatsApp simulator for one phone, so a person can watch
// the console react. Audited like every other action on a phone (who injected what, and whether
// the simulator took it).
import type { Actor } from './auth/roles';
import { recordAudit } from './audit';
import { getDb } from './db/client';
import { ConflictError, UpstreamError } from './errors';
import { requireDemoSimulator, simulatorPost } from './demo-simulator';
import { getSession } from './phones/service';
import type { DemoFaultType } from './demo-fault-types';

export interface DemoFault {
  phoneId: number;
  type: DemoFaultType;
  count: number;
  via?: 'pkmsg' | 'msg';
}

/** Asks the simulator at `simulatorUrl` to send the fault; resolves to how many it delivered. */
export async function injectDemoFault(simulatorUrl: string | undefined, fault: DemoFault, actor: Actor | null): Promise<{ delivered: number }> {
  const base = requireDemoSimulator(simulatorUrl);
  const session = await getSession(fault.phoneId);
  const audit = (result: 'ok' | 'error', detail: Record<string, unknown>) =>
    recordAudit(getDb(), { actor, action: 'demo.fault', targetType: 'phone', targetId: fault.phoneId, result, detail: { type: fault.type, count: fault.count, via: fault.via, ...detail } });
  const res = await simulatorPost<{ delivered?: number }>(base, `/phones/${encodeURIComponent(session.phoneJid)}/faults`, { type: fault.type, count: fault.count, via: fault.via }, () =>
    audit('error', { error: 'simulator unreachable' }),
  );
  const data = res.data;
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

