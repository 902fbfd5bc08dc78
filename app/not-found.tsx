import Link from 'next/link';
import { requestLocale, titledPage } from '@/app/server-locale';
import { translator } from '@/lib/ui/i18n';

export const generateMetadata = titledPage('notFound.title');

/** Any unknown page or phone (/sessions/99999): HTTP 404, in the admin's language, with a way back.
 * The console's own page: Next's default 404 carries an inline <style> that the pages' CSP refuses. */
export default async function NotFound() {
  const t = translator(await requestLocale());
  return (
    <main className="mx-auto max-w-xl space-y-3 p-8" data-testid="not-found">
      <h1 className="text-2xl font-semibold">{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <Link href="/" className="inline-block min-h-6 text-emerald-800 underline dark:text-emerald-300" data-testid="not-found-back">{t('notFound.back')}</Link>
    </main>
  );
}
