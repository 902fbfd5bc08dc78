'use client';

import { useState } from 'react';
import { useUi } from '../providers';

/** A secret the server shows only once (a new token, an invited user's password), with a copy button. */
export function OneTimeSecret({ message, value, testId, valueTestId, copyTestId }: { message: string; value: string; testId?: string; valueTestId: string; copyTestId: string }) {
  const { t } = useUi();
  // Keyed by the value: a new secret shows "Copy" again.
  const [copiedValue, setCopiedValue] = useState<string | null>(null);
  return (
    <div className="rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950" data-testid={testId}>
      <p>{message}</p>
      <code className="mt-1 block break-all font-mono" data-testid={valueTestId}>{value}</code>
      <button type="button" data-testid={copyTestId} className="mt-2 min-h-7 rounded border border-gray-400 px-2 py-1 text-xs dark:border-gray-500"
        onClick={() => navigator.clipboard?.writeText(value).then(() => setCopiedValue(value))}>
        {copiedValue === value ? t('copied') : t('copy')}
      </button>
    </div>
  );
}
