import { otherMethods, route } from '@/lib/api/route';
import { getDb } from '@/lib/db/client';
import { changeUserRole, removeUser } from '@/lib/auth/user-admin';
import { changeUserRole as changeRoleContract, deleteUser as deleteContract } from '@/lib/api/operations/admin';

export const dynamic = 'force-dynamic';

export const PATCH = route(changeRoleContract, async ({ params, body, actor }) => ({
  success: true,
  message: 'Role changed',
  user: await changeUserRole(getDb(), params.id, body.role, actor),
}));

export const DELETE = route(deleteContract, async ({ params, actor }) => {
  await removeUser(getDb(), params.id, actor);
  return { success: true, message: 'User deleted' };
});

export const { GET, POST, PUT } = otherMethods(['PATCH', 'DELETE']);
