import { otherMethods, route } from '@/lib/api/route';
import * as contracts from '@/lib/api/operations/sessions';
import { deleteSession, getSessionDetail, updateSession } from '@/lib/phones/service';

export const dynamic = 'force-dynamic';

export const GET = route(contracts.getSession, ({ params }) => getSessionDetail(params.id));

/** The phone's settings: label and proxy (a new proxy restarts a running socket). */
export const PATCH = route(contracts.updateSession, ({ params, body, actor }) => updateSession(params.id, body, actor));

export const DELETE = route(contracts.deleteSession, ({ params, actor }) => deleteSession(params.id, actor));

export const { POST, PUT } = otherMethods(['GET', 'PATCH', 'DELETE']);
