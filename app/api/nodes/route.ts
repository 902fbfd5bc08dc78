// The fleet's live nodes for the Nodes page (lib/fleet/nodes.ts).
import { otherMethods, route } from '@/lib/api/route';
import { listNodes as contract } from '@/lib/api/operations/monitoring';
import { listFleetNodes } from '@/lib/fleet/nodes-service';

export const dynamic = 'force-dynamic';

export const GET = route(contract, () => listFleetNodes());

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
