import { otherMethods, route } from '@/lib/api/route';
import { getHealthSummary as contract } from '@/lib/api/operations/health';
import { getHealthSummary } from '@/lib/health/api';

export const dynamic = 'force-dynamic';

/** The fleet's health: phones below the uptime objective, the worst ten, drops per hour. */
export const GET = route(contract, () => getHealthSummary());

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
