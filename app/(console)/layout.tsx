import type { ReactNode } from 'react';
import { getConfig } from '@/lib/config';
import { demoSimulatorUrl } from '@/lib/demo-simulator';
import { requestLocale } from '@/app/server-locale';
import { translator } from '@/lib/ui/i18n';
import { Providers } from '@/components/providers';
import { Header } from '@/components/Header';
import { consoleActor } from './console-actor';

export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  // The same check as the API guard: an ended session or an unknown role gets no console.
  const actor = await consoleActor();
  const locale = await requestLocale();
  const t = translator(locale);
  const role = actor.role;
  const config = getConfig();
  return (
    <Providers locale={locale} role={role} simulator={!!demoSimulatorUrl(config.SIMULATOR_URL)} defaultEngine={config.DEFAULT_ENGINE}>
      <Header email={actor.name} role={role} locale={locale} labels={{
        title: t('app.title'), sessions: t('nav.sessions'), nodes: t('nav.nodes'), alerts: t('nav.alerts'), audit: t('nav.audit'), tokens: t('nav.tokens'), webhooks: t('nav.webhooks'), users: t('nav.users'),
        signOut: t('auth.signOut'), role: t(`role.${role}`), language: t('header.language'), nav: t('nav.main'),
      }} />
      <main className="mx-auto max-w-7xl p-4">{children}</main>
    </Providers>
  );
}
