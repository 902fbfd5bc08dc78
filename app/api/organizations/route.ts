import { otherMethods, route } from '@/lib/api/route';
import { listOrganizations } from '@/lib/phones/service';
import { listOrganizations as contract } from '@/lib/api/operations/admin';

export const dynamic = 'force-dynamic';

export const GET = route(contract, () => listOrganizations());

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
