// Demo mode only: the simulated phone links the console's pairing session, so a newcomer without
// the simulator's API can pair from the dialog. "Simulate scan" hands the simulator the QR the
// session shows now; "Type the code on the simulated phone" the pairing code it asked for. Both
// read the secret on the server (never from the browser) and are audited like every action on a
// phone.
import type { Actor } from './auth/roles';
import { recordAudit } from './audit';
import type { AuditAction } from './audit-actions';
import { getDb } from './db/client';
import { requireDemoSimulator, simulatorPost } from './demo-simulator';
import { ConflictError, UpstreamError } from './errors';
import { getSessionManager } from './sessions/manager';
import { getSession } from './phones/service';

export type DemoPairingMethod = 'scan' | 'code';

const ACTION: Record<DemoPairingMethod, AuditAction> = { scan: 'demo.scan', code: 'demo.code' };

/** The simulated phone scans the current QR (`scan`) or types the current pairing code (`code`); resolves once linked. */
export async function demoPair(simulatorUrl: string | undefined, phoneId: number, method: DemoPairingMethod, actor: Actor | null): Promise<{ deviceJid: string }> {
  const base = requireDemoSimulator(simulatorUrl);
  const session = await getSession(phoneId);
  const audit = (result: 'ok' | 'error', detail: Record<string, unknown>) => recordAudit(getDb(), { actor, action: ACTION[method], targetType: 'phone', targetId: phoneId, result, detail });
  // The snapshot is this node's session or what the owner node last reported (QR and code included).
  const snapshot = getSessionManager().snapshot(phoneId);
  const secret = method === 'scan' ? snapshot?.qr : snapshot?.pairingCode;
  if (snapshot?.state !== 'qr' || !secret) {
    await audit('error', { error: 'not pairing' });
    throw new ConflictError(
      method === 'scan' ? 'The session is not showing a QR code: start it first' : 'The session has no pairing code: ask for one first ("Link with phone number instead")',
      { status: snapshot?.state ?? 'idle' },
      'not_pairing',
    );
  }
  const jid = encodeURIComponent(session.phoneJid);
  const res = await simulatorPost<{ deviceJid?: string }>(base, method === 'scan' ? `/phones/${jid}/scan` : `/phones/${jid}/pairing-code`, method === 'scan' ? { qr: secret } : { code: secret }, () =>
    audit('error', { error: 'simulator unreachable' }),
  );
  if (!res.ok || !res.data.deviceJid) {
    const error = res.data.error ?? String(res.status);
    await audit('error', { error });
    // 404: the QR expired (or no client waits for this code) between reading it and the scan.
    if (res.status === 404 || res.status === 409) throw new ConflictError(`Simulator: ${error}`, undefined, 'not_pairing');
    throw new UpstreamError(`Simulator: ${error}`, 'simulator');
  }
  await audit('ok', { deviceJid: res.data.deviceJid });
  return { deviceJid: res.data.deviceJid };
}
