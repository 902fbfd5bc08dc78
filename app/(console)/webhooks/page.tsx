import { WebhooksManager } from '@/components/webhooks/WebhooksManager';

export const dynamic = 'force-dynamic';

export default function WebhooksPage() {
  return <WebhooksManager />;
}
