import { otherMethods, route } from '@/lib/api/route';
import { getMetrics } from '@/lib/metrics';
import { getSessionManager } from '@/lib/sessions/manager';
import { getMetrics as contract } from '@/lib/api/operations/monitoring';

export const dynamic = 'force-dynamic';

export const GET = route(contract, async () => {
  const { registry } = getMetrics(getSessionManager());
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
