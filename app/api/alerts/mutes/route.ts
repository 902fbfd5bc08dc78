import { otherMethods, route } from '@/lib/api/route';
import { listAlertMutes as contract } from '@/lib/api/operations/alerts';
import { listMutes } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

export const GET = route(contract, () => listMutes());

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
