// Demo mode only: forwards a fault to the WhatsApp simulator for one phone, so a person can watch
// the console react. 404 when SIMULATOR_URL is not configured.
import { otherMethods, route } from '@/lib/api/route';
import { notFound, ApiError } from '@/lib/api/errors';
import { getConfig } from '@/lib/config';
import { getSession } from '@/lib/sessions-service';
import { injectDemoFault } from '@/lib/api/operations/monitoring';

export const dynamic = 'force-dynamic';

export const POST = route(injectDemoFault, async ({ body }) => {
  const simulator = getConfig().SIMULATOR_URL;
  if (!simulator) throw notFound('Demo mode is off (SIMULATOR_URL is not set)');
  const session = await getSession(body.phoneId);
  const res = await fetch(`${simulator}/phones/${encodeURIComponent(session.phoneJid)}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: body.type, count: body.count, via: body.via }),
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string; delivered?: number };
  if (!res.ok) throw new ApiError(res.status === 404 ? 409 : 502, `Simulator: ${data.error ?? res.status}`, 'simulator');
  return { delivered: data.delivered ?? 0 };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
