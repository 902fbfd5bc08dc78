import { z } from 'zod';
import { otherMethods, route } from '@/lib/api/route';
import { getDb } from '@/lib/db/client';
import { createToken, listTokens } from '@/lib/auth/tokens';
import { TOKEN_SCOPES } from '@/lib/auth/roles';
import { recordAudit } from '@/lib/audit';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'admin' }, async () => listTokens(getDb()));

const createBody = z.object({
  name: z.string().trim().min(1, 'name is required').max(100),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(2).default(['admin']),
});

export const POST = route({ auth: 'admin', body: createBody }, async ({ body, actor }) => {
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
