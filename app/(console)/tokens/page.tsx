import { TokensManager } from '@/components/tokens/TokensManager';
import { consoleActor } from '../console-actor';
import { titledPage } from '@/app/server-locale';

export const generateMetadata = titledPage('tokens.title');

export const dynamic = 'force-dynamic';

export default async function TokensPage() {
  await consoleActor();
  return <TokensManager />;
}
