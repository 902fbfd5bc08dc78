import { otherMethods, route } from '@/lib/api/route';
import { exportAudit as contract } from '@/lib/api/operations/admin';
import { exportAuditCsv } from '@/lib/audit';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

export const GET = route(contract, async ({ query }) => {
  const { csv, truncated } = await exportAuditCsv(getDb(), query);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="audit-${day}.csv"`,
      'cache-control': 'no-store',
      'x-truncated': String(truncated),
    },
  });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
