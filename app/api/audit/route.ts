import { otherMethods, route } from '@/lib/api/route';
import { listAudit as contract } from '@/lib/api/operations/admin';
import { listAudit } from '@/lib/audit';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

export const GET = route(contract, ({ query }) => listAudit(getDb(), query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
