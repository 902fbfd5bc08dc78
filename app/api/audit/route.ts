import { z } from 'zod';
import { otherMethods, route } from '@/lib/api/route';
import { pageQuerySchema } from '@/lib/api/session-schemas';
import { listAudit } from '@/lib/audit';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

const query = pageQuerySchema.extend({
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(50).optional(),
});

export const GET = route({ auth: 'read', query }, ({ query }) => listAudit(getDb(), query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
