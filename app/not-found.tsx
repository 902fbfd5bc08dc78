import Link from 'next/link';
import { requestLocale } from '@/lib/ui/server-locale';
import { translator } from '@/lib/ui/i18n';

// The console's own 404 (Next's default one carries an inline <style> that the pages' CSP refuses).
export default async function NotFound() {
  const t = translator(await requestLocale());
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-4 p-4" data-testid="not-found">
      <h1 className="text-lg font-semibold">{t('notFound.title')}</h1>
      <Link href="/" className="rounded border border-gray-300 px-3 py-1.5 text-sm dark:border-gray-700">
        {t('notFound.back')}
      </Link>
    </main>
  );
}
