import { route } from '@/lib/api/route';
import { addPhoneBodySchema, listQuerySchema } from '@/lib/api/session-schemas';
import { addPhone, listSessions } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', query: listQuerySchema }, ({ query }) => listSessions(query));

export const POST = route({ auth: 'admin', body: addPhoneBodySchema }, async ({ body, actor }) =>
  Response.json(await addPhone(body, actor), { status: 201 }),
);
