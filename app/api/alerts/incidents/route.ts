import { otherMethods, route } from '@/lib/api/route';
import { listAlertIncidents as contract } from '@/lib/api/operations/alerts';
import { listIncidents } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

export const GET = route(contract, ({ query }) => listIncidents(query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
