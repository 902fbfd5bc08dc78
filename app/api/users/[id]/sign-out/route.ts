import { idParams, otherMethods, route } from '@/lib/api/route';
import { getDb } from '@/lib/db/client';
import { signOutUser } from '@/lib/auth/user-admin';

export const dynamic = 'force-dynamic';

export const POST = route({ auth: 'admin', params: idParams }, async ({ params, actor }) => {
  await signOutUser(getDb(), params.id, actor);
  return { success: true, message: 'User signed out' };
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
