import type { Metadata } from 'next';
import { UsersManager } from '@/components/users/UsersManager';
import { requestLocale as pageLocale } from '@/lib/ui/server-locale';
import { translator as pageTranslator } from '@/lib/ui/i18n';
import { consoleActor } from '../console-actor';

export async function generateMetadata(): Promise<Metadata> {
  const t = pageTranslator(await pageLocale());
  return { title: `${t('users.title')} · ${t('app.title')}` };
}

export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const actor = await consoleActor();
  return <UsersManager currentUserId={actor.type === 'user' ? actor.id : null} />;
}
