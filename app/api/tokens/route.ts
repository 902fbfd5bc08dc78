import { otherMethods, route } from '@/lib/api/route';
import { getDb } from '@/lib/db/client';
import { createToken, listTokens } from '@/lib/auth/tokens';
import { createToken as createContract, listTokens as listContract } from '@/lib/api/operations/admin';
import { recordAudit } from '@/lib/audit';

export const dynamic = 'force-dynamic';

export const GET = route(listContract, async () => listTokens(getDb()));

export const POST = route(createContract, async ({ body, actor }) => {
  const db = getDb();
  const created = await createToken(db, {
    name: body.name,
    scopes: body.scopes,
    createdById: actor?.type === 'user' ? actor.id : null,
  });
  await recordAudit(db, { actor, action: 'token.create', targetType: 'token', targetId: created.info.id, result: 'ok', detail: { name: body.name, scopes: body.scopes } });
  return Response.json({ token: created.token, ...created.info }, { status: 201 });
});

export const { PUT, PATCH, DELETE } = otherMethods(['GET', 'POST']);
