import { AlertsManager } from '@/components/alerts/AlertsManager';
import { titledPage } from '@/app/server-locale';
import { consoleActor } from '../console-actor';

export const dynamic = 'force-dynamic';

export const generateMetadata = titledPage('alerts.title');

export default async function AlertsPage() {
  await consoleActor();
  return <AlertsManager />;
}
