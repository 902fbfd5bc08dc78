// Demo mode only: a fault sent to the WhatsApp simulator for one phone (lib/demo-faults.ts).
// 404 when SIMULATOR_URL is not configured.
import { otherMethods, route } from '@/lib/api/route';
import { getConfig } from '@/lib/config';
import { injectDemoFault } from '@/lib/demo-faults';
import { injectDemoFault as contract } from '@/lib/api/operations/monitoring';

export const dynamic = 'force-dynamic';

export const POST = route(contract, async ({ body, actor }) => injectDemoFault(getConfig().SIMULATOR_URL, body, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
