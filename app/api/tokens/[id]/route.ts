import { otherMethods, route } from '@/lib/api/route';
import { revokeToken as contract } from '@/lib/api/operations/admin';
import { notFound } from '@/lib/api/errors';
import { getDb } from '@/lib/db/client';
import { revokeToken } from '@/lib/auth/tokens';
import { recordAudit } from '@/lib/audit';

export const dynamic = 'force-dynamic';

export const DELETE = route(contract, async ({ params, actor }) => {
  const db = getDb();
  const token = await revokeToken(db, params.id);
  if (!token) throw notFound('Token not found');
  await recordAudit(db, { actor, action: 'token.revoke', targetType: 'token', targetId: params.id, result: 'ok' });
  return { success: true, message: 'Token revoked', token };
});

export const { GET, POST, PUT, PATCH } = otherMethods(['DELETE']);
