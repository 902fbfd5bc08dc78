import { otherMethods, route } from '@/lib/api/route';
import { jsonText } from '@/lib/api/errors';
import { addPhoneBodySchema, listQuerySchema } from '@/lib/api/session-schemas';
import { addPhone, listSessionsJson } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', query: listQuerySchema }, async ({ query }) => jsonText(await listSessionsJson(query)));

export const POST = route({ auth: 'admin', body: addPhoneBodySchema }, async ({ body, actor }) =>
  Response.json(await addPhone(body, actor), { status: 201 }),
);

export const { PUT, PATCH, DELETE } = otherMethods(['GET', 'POST']);
