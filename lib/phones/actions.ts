// Session actions the console adds to the seed's (start, restart, close, delete live in
// service.ts): log out, which unlinks the phone from WhatsApp so it must pair again.
import type { Actor } from '../auth/roles';
import { NotFoundError } from '../errors';
import { getDb } from '../db/client';
import { getSessionManager } from '../sessions/manager';
import { ADMIN_LOGOUT_TEXT } from '../sessions/reasons';
import { audited } from './service';
import { phoneRepository } from '../db/phone-repository';

export async function logoutSession(id: number, reason: string | undefined, actor: Actor | null) {
  const row = await phoneRepository(getDb()).byId(id);
  if (!row) throw new NotFoundError('Phone not found');
  const why = reason || ADMIN_LOGOUT_TEXT;
  await audited(actor, 'session.logout', id, why, () => getSessionManager().logout(id, why, row));
  return { success: true as const, message: 'Logged out' };
}
