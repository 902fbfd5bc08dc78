// Session actions the console adds to the seed's (start, restart, close, delete live in
// sessions-service.ts): log out, which unlinks the phone from WhatsApp so it must pair again.
import { getDb } from './db/client';
import { recordAudit } from './audit';
import type { Actor } from './auth/roles';
import { notFound } from './api/errors';
import { getSessionManager } from './sessions/manager';

export async function logoutSession(id: number, reason: string | undefined, actor: Actor | null) {
  if (!(await getDb().organizationPhone.findUnique({ where: { id }, select: { id: true } }))) throw notFound('Phone not found');
  const why = reason || 'Logged out by an administrator';
  try {
    await getSessionManager().logout(id, why);
  } catch (err) {
    await recordAudit(getDb(), { actor, action: 'session.logout', targetType: 'phone', targetId: id, reason: why, result: 'error', detail: { error: String((err as Error)?.message ?? err) } });
    throw err;
  }
  await recordAudit(getDb(), { actor, action: 'session.logout', targetType: 'phone', targetId: id, reason: why, result: 'ok' });
  return { success: true as const, message: 'Logged out' };
}
