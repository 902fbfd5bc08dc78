'use client';

import type { ReactNode } from 'react';
import { errorMessage } from '@/lib/ui/session-text';
import { useUi } from '../providers';

/** The part of a react-query result a view reads. */
interface QueryState<T> {
  isLoading: boolean;
  isError: boolean;
  error: Error | null;
  data: T | undefined;
}

/**
 * What a list shows for its query: "Loading…" at first, then the rows, or, without rows, the load
 * error (never an empty note that hides a failure) or the empty note.
 */
export function QueryView<T>({ query, hasRows, empty, emptyTestId, children }: {
  query: QueryState<T>;
  hasRows: (data: T) => boolean;
  empty: string;
  emptyTestId?: string;
  children: (data: T) => ReactNode;
}) {
  const { t } = useUi();
  if (query.isLoading) return <p className="text-sm">{t('loading')}</p>;
  if (query.data !== undefined && hasRows(query.data)) return children(query.data);
  if (query.isError) return <p role="alert" className="text-sm text-red-700 dark:text-red-300">{t('error.load', { error: errorMessage(t, query.error) })}</p>;
  return <p className="text-sm text-gray-700 dark:text-gray-300" data-testid={emptyTestId}>{empty}</p>;
}
