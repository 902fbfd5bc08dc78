import { WebhooksManager } from '@/components/webhooks/WebhooksManager';
import { errorWebhookEndpoint } from '@/lib/webhooks/service';
import { titledPage } from '@/app/server-locale';
import { consoleActor } from '../console-actor';

export const generateMetadata = titledPage('webhooks.title');

export const dynamic = 'force-dynamic';

export default async function WebhooksPage() {
  await consoleActor();
  return <WebhooksManager errorEndpoint={errorWebhookEndpoint()} />;
}
