'use client';

import { useState, type ReactNode } from 'react';

/** What a form control needs to say it is wrong and where its hint and error are. */
export interface FieldAria {
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * The API's field-level messages (a 400's details, issue 27.8), each shown under the field it is
 * about. `field` renders a labelled control with its hint and error; ids and test ids are
 * `<prefix>-<name>-hint` and `<prefix>-<name>-error`.
 */
export function useFieldErrors(prefix: string) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const field = (name: string, label: string, control: (aria: FieldAria) => ReactNode, hint?: string, className = 'text-sm') => {
    const hintId = `${prefix}-${name}-hint`;
    const errorId = `${prefix}-${name}-error`;
    const failed = name in errors;
    return (
      <label className={className}>
        {label}
        {control({ 'aria-invalid': failed || undefined, 'aria-describedby': [hint ? hintId : null, failed ? errorId : null].filter(Boolean).join(' ') || undefined })}
        {hint && <span id={hintId} className="block max-w-72 text-xs text-gray-600 dark:text-gray-400">{hint}</span>}
        {failed && <span id={errorId} data-testid={errorId} className="block max-w-72 text-xs font-medium text-red-800 dark:text-red-300">{errors[name]}</span>}
      </label>
    );
  };
  return { setErrors, field };
}
