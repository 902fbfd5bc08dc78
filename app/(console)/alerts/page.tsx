import type { Metadata } from 'next';
import { AlertsManager } from '@/components/alerts/AlertsManager';
import { requestLocale } from '@/lib/ui/server-locale';
import { translator } from '@/lib/ui/i18n';
import { consoleActor } from '../console-actor';

export const dynamic = 'force-dynamic';

export async function generateMetadata(): Promise<Metadata> {
  const t = translator(await requestLocale());
  return { title: `${t('alerts.title')} · ${t('app.title')}` };
}

export default async function AlertsPage() {
  await consoleActor();
  return <AlertsManager />;
}
