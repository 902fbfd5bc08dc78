import { otherMethods, route } from '@/lib/api/route';
import { getMetrics } from '@/lib/metrics';
import { getSessionManager } from '@/lib/sessions/manager';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read' }, async () => {
  const { registry } = getMetrics(getSessionManager());
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
