import { Suspense } from 'react';
import { LoginForm } from '@/components/auth/LoginForm';
import { requestLocale } from '@/lib/ui/server-locale';
import { translator } from '@/lib/ui/i18n';

export async function generateMetadata() {
  const t = translator(await requestLocale());
  return { title: `${t('login.submit')} · ${t('app.title')}` };
}

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
