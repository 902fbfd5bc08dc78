import type { ReactNode } from 'react';
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { authOptions } from '@/lib/auth/options';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db/client';
import { sessionActor } from '@/lib/auth/session';
import { requestLocale } from '@/lib/ui/server-locale';
import { translator } from '@/lib/ui/i18n';
import { Providers } from '@/components/providers';
import { Header } from '@/components/Header';

export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await getServerSession(authOptions());
  // The same check as the API guard: an ended session or an unknown role gets no console.
  const user = session?.user as { id?: unknown; email?: unknown; sv?: unknown } | undefined;
  const actor = user ? await sessionActor(getDb(), { sub: user.id, email: user.email, sv: user.sv }) : null;
  if (!session?.user || !actor) redirect('/login');
  const locale = await requestLocale();
  const t = translator(locale);
  const role = actor.role;
  return (
    <Providers locale={locale} role={role} simulator={!!getConfig().SIMULATOR_URL}>
      <Header email={session.user.email ?? ''} role={role} locale={locale} labels={{
        title: t('app.title'), sessions: t('nav.sessions'), audit: t('nav.audit'), tokens: t('nav.tokens'),
        signOut: t('auth.signOut'), role: t(`role.${role}`), language: t('header.language'), nav: t('nav.main'),
      }} />
      <main className="mx-auto max-w-7xl p-4">{children}</main>
    </Providers>
  );
}
