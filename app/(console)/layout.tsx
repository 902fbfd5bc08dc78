import type { ReactNode } from 'react';
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { authOptions } from '@/lib/auth/options';
import { getConfig } from '@/lib/config';
import { requestLocale } from '@/lib/ui/server-locale';
import { translator } from '@/lib/ui/i18n';
import { Providers } from '@/components/providers';
import { Header } from '@/components/Header';

export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await getServerSession(authOptions());
  if (!session?.user) redirect('/login');
  const locale = await requestLocale();
  const t = translator(locale);
  const role = (session.user as { role?: string }).role === 'viewer' ? 'viewer' : 'admin';
  return (
    <Providers locale={locale} role={role} simulator={!!getConfig().SIMULATOR_URL}>
      <Header email={session.user.email ?? ''} role={role} locale={locale} labels={{
        title: t('app.title'), sessions: t('nav.sessions'), audit: t('nav.audit'), tokens: t('nav.tokens'), webhooks: t('nav.webhooks'),
        signOut: t('auth.signOut'), role: t(`role.${role}`), language: t('header.language'), nav: t('nav.main'),
      }} />
      <main className="mx-auto max-w-7xl p-4">{children}</main>
    </Providers>
  );
}
