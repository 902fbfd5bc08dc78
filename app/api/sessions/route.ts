import { otherMethods, route } from '@/lib/api/route';
import { json, jsonText } from '@/lib/api/errors';
import { isPagedQuery } from '@/lib/api/list-schemas';
import { addSession, listSessions } from '@/lib/api/operations/sessions';
import { addPhone, listSessionsJson } from '@/lib/phones/service';
import { querySessionsAll, querySessionsPage } from '@/lib/phones/query';

export const dynamic = 'force-dynamic';

// With limit, page or cursor: one page `{ items, total, ... }`. Without: the seed's plain array
// (sorted and searched by the server when sort or q is given).
export const GET = route(listSessions, async ({ query }) => {
  if (isPagedQuery(query)) return json(await querySessionsPage(query));
  if (query.q || query.sort) return json(await querySessionsAll(query));
  return jsonText(await listSessionsJson({ status: query.status, organizationId: query.organizationId, health: query.health }));
});

export const POST = route(addSession, async ({ body, actor }) =>
  Response.json(await addPhone(body, actor), { status: 201 }),
);

export const { PUT, PATCH, DELETE } = otherMethods(['GET', 'POST']);
