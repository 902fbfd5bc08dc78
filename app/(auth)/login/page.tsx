import { Suspense } from 'react';
import { LoginForm } from '@/components/auth/LoginForm';
import { requestLocale, titledPage } from '@/app/server-locale';
import { translator } from '@/lib/ui/i18n';

export const generateMetadata = titledPage('login.submit');

export default async function LoginPage() {
  const t = translator(await requestLocale());
  const labels = {
    title: t('app.title'),
    subtitle: t('login.subtitle'),
    email: t('login.email'),
    password: t('login.password'),
    submit: t('login.submit'),
    submitting: t('login.submitting'),
    invalid: t('login.invalid'),
  };
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <Suspense>
        <LoginForm labels={labels} />
      </Suspense>
    </main>
  );
}
