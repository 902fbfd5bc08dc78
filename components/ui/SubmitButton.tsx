import type { ReactNode } from 'react';
import { Spinner } from './ConfirmDialog';

/** A form's primary button: disabled, with a spinner, while its request is on its way. */
export function SubmitButton({ pending, disabled = false, testId, children }: { pending: boolean; disabled?: boolean; testId?: string; children: ReactNode }) {
  return (
    <button type="submit" disabled={pending || disabled} data-testid={testId}
      className="inline-flex items-center gap-2 rounded bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60">
      {pending && <Spinner />}
      {children}
    </button>
  );
}
