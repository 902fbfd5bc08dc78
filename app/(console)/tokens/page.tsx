import { TokensManager } from '@/components/tokens/TokensManager';
import { consoleActor } from '../console-actor';
import type { Metadata } from 'next';
import { requestLocale as pageLocale } from '@/lib/ui/server-locale';
import { translator as pageTranslator } from '@/lib/ui/i18n';

export async function generateMetadata(): Promise<Metadata> {
  const t = pageTranslator(await pageLocale());
  return { title: `${t('tokens.title')} · ${t('app.title')}` };
}

export const dynamic = 'force-dynamic';

export default async function TokensPage() {
  await consoleActor();
  return <TokensManager />;
}
