import { TokensManager } from '@/components/tokens/TokensManager';

export const dynamic = 'force-dynamic';

export default function TokensPage() {
  return <TokensManager />;
}
