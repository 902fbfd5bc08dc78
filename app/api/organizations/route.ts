import { otherMethods, route } from '@/lib/api/route';
import { listOrganizations } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read' }, () => listOrganizations());

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
