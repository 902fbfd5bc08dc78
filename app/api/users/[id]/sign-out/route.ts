import { otherMethods, route } from '@/lib/api/route';
import { getDb } from '@/lib/db/client';
import { signOutUser } from '@/lib/auth/user-admin';
import { signOutUser as signOutContract } from '@/lib/api/operations/admin';

export const dynamic = 'force-dynamic';

export const POST = route(signOutContract, async ({ params, actor }) => {
  await signOutUser(getDb(), params.id, actor);
  return { success: true, message: 'User signed out' };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
