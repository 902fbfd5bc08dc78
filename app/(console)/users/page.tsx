import { UsersManager } from '@/components/users/UsersManager';
import { titledPage } from '@/app/server-locale';
import { consoleActor } from '../console-actor';

export const generateMetadata = titledPage('users.title');

export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const actor = await consoleActor();
  return <UsersManager currentUserId={actor.type === 'user' ? actor.id : null} />;
}
