import { otherMethods, route } from '@/lib/api/route';
import { json } from '@/lib/api/errors';
import { isPagedQuery } from '@/lib/api/list-schemas';
import { addSession, listSessions } from '@/lib/api/operations/sessions';
import { addPhone } from '@/lib/phones/service';
import { querySessionsPage, streamSessionsAll } from '@/lib/phones/query';
import { getLogger } from '@/lib/logger';

export const dynamic = 'force-dynamic';

// With limit, page or cursor: one page `{ items, total, ... }`. Without: the seed's plain array
// (sorted and searched by the server when sort or q is given), streamed as it is read.
export const GET = route(listSessions, async ({ query }) => {
  if (isPagedQuery(query)) return json(await querySessionsPage(query));
  const body = await streamSessionsAll(query, (err) => getLogger().error({ err }, 'the sessions list stopped while streaming'));
  return new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
});

export const POST = route(addSession, async ({ body, actor }) =>
  Response.json(await addPhone(body, actor), { status: 201 }),
);

export const { PUT, PATCH, DELETE } = otherMethods(['GET', 'POST']);
