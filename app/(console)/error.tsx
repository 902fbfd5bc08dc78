'use client';

import { useUi } from '@/components/providers';

// A console page failed to render (e.g. the database is unreachable).
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const { t } = useUi();
  return (
    <div role="alert" className="space-y-3 rounded-lg border border-red-300 p-6 dark:border-red-800" data-testid="page-error">
      <h1 className="text-lg font-semibold text-red-700 dark:text-red-400">{t('error.title')}</h1>
      <p className="text-sm text-gray-600 dark:text-gray-400">{error.digest ?? error.message}</p>
      <button type="button" onClick={reset} className="rounded border border-gray-300 px-3 py-1.5 text-sm dark:border-gray-700">{t('error.retry')}</button>
    </div>
  );
}
