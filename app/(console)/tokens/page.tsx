import { TokensManager } from '@/components/tokens/TokensManager';
import { consoleActor } from '../console-actor';

export const dynamic = 'force-dynamic';

export default async function TokensPage() {
  await consoleActor();
  return <TokensManager />;
}
