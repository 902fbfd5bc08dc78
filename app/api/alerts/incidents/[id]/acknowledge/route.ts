import { otherMethods, route } from '@/lib/api/route';
import { acknowledgeAlertIncident as contract } from '@/lib/api/operations/alerts';
import { acknowledgeIncident } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ params, actor }) => acknowledgeIncident(params.id, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
