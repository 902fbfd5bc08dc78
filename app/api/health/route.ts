import { otherMethods, route } from '@/lib/api/route';
import { json } from '@/lib/api/errors';
import { checkDatabase } from '@/lib/db/ping';
import { getHealth } from '@/lib/api/operations/monitoring';

export const dynamic = 'force-dynamic';

export const GET = route(getHealth, async () => {
  const db = await checkDatabase();
  return db ? json({ status: 'ok', db: 'ok' }) : json({ status: 'error', db: 'unreachable' }, 503);
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
