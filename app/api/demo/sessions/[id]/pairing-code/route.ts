// Demo mode only: the simulated phone types this session's current pairing code (lib/demo-pairing.ts).
import { otherMethods, route } from '@/lib/api/route';
import { getConfig } from '@/lib/config';
import { demoPair } from '@/lib/demo-pairing';
import { demoEnterPairingCode as contract } from '@/lib/api/operations/monitoring';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ params, actor }) => demoPair(getConfig().SIMULATOR_URL, params.id, 'code', actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
