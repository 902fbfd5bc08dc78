import { otherMethods, route } from '@/lib/api/route';
import { auditQuerySchema as query } from '@/lib/api/schemas';
import { listAudit } from '@/lib/audit';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', query }, ({ query }) => listAudit(getDb(), query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
