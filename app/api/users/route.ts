import { otherMethods, route } from '@/lib/api/route';
import { getDb } from '@/lib/db/client';
import { inviteUser, listUserRows } from '@/lib/auth/user-admin';
import { inviteUser as inviteContract, listUsers as listContract } from '@/lib/api/operations/admin';

export const dynamic = 'force-dynamic';

export const GET = route(listContract, async () => listUserRows(getDb()));

export const POST = route(inviteContract, async ({ body, actor }) =>
  Response.json(await inviteUser(getDb(), body, actor), { status: 201, headers: { 'cache-control': 'no-store' } }),
);

export const { PUT, PATCH, DELETE } = otherMethods(['GET', 'POST']);
