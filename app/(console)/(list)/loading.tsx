import { requestLocale } from '@/app/server-locale';
import { translator } from '@/lib/ui/i18n';

// Shown while a console page renders on the server.
export default async function Loading() {
  const t = translator(await requestLocale());
  return (
    <div role="status" aria-live="polite" className="space-y-3" data-testid="page-loading">
      <span className="sr-only">{t('loading')}</span>
      <div className="h-6 w-40 animate-pulse rounded bg-gray-200 dark:bg-gray-800" />
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {[0, 1, 2, 3].map((i) => <div key={i} className="h-16 animate-pulse rounded-lg bg-gray-100 dark:bg-gray-900" />)}
      </div>
      <div className="h-64 animate-pulse rounded-lg bg-gray-100 dark:bg-gray-900" />
    </div>
  );
}
// Lives in the (list) group, not at the console's root: a loading boundary above
// /sessions/[id] would send the page's 200 before notFound() could answer 404.
