import { otherMethods, route } from '@/lib/api/route';
import { deleteOrganization as contract } from '@/lib/api/operations/admin';
import { deleteOrganization } from '@/lib/organizations/service';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

export const DELETE = route(contract, ({ params, actor }) => deleteOrganization(getDb(), params.id, actor));

export const { GET, POST, PUT, PATCH } = otherMethods(['DELETE']);
