// Demo mode only: the simulated phone scans this session's current QR (lib/demo-pairing.ts).
import { otherMethods, route } from '@/lib/api/route';
import { getConfig } from '@/lib/config';
import { demoPair } from '@/lib/demo-pairing';
import { demoScanQr as contract } from '@/lib/api/operations/monitoring';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ params, actor }) => demoPair(getConfig().SIMULATOR_URL, params.id, 'scan', actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
