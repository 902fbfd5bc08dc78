import type { ReactNode } from 'react';

/** A column header whose text only screen readers hear (a column of buttons). */
export const hiddenHeader = (label: string) => ({ hidden: label });
type Header = string | { hidden: string };

/**
 * A console table: the scrolling, bordered frame, a header row (`headers`, one per column, or a
 * custom row's cells in `head`) and the rows (`children`). A `cards` table turns each row into a
 * card on a narrow screen: its header is hidden there and each cell shows its own column name
 * (`data-label`, see CARD_CELL).
 */
export function Table({ testId, cards = false, headers, head, children, ...data }: {
  testId: string;
  cards?: boolean;
  headers?: Header[];
  head?: ReactNode;
  children: ReactNode;
} & Record<`data-${string}`, unknown>) {
  return (
    <div className="relative overflow-x-auto rounded-lg border border-gray-300 dark:border-gray-700">
      <table className={`min-w-full text-sm${cards ? ' max-md:block' : ''}`} data-testid={testId} {...data}>
        <thead className={cards ? 'bg-gray-50 max-md:hidden dark:bg-gray-900' : undefined}>
          <tr className="text-left">
            {headers?.map((h) => (
              <th key={typeof h === 'string' ? h : h.hidden} scope="col" className={cards ? 'px-3 py-2 font-medium' : 'px-2 py-1'}>
                {typeof h === 'string' ? h : <span className="sr-only">{h.hidden}</span>}
              </th>
            ))}
            {head}
          </tr>
        </thead>
        <tbody className={cards ? 'max-md:block' : undefined}>{children}</tbody>
      </table>
    </div>
  );
}

/** A plain table's row. */
export const ROW = 'border-t border-gray-100 dark:border-gray-800';
/**
 * A card table's cell (its horizontal padding is the table's own): on a narrow screen a block under
 * its column's name, which it carries in `data-label`.
 */
export const CARD_CELL = 'py-2 max-md:block max-md:px-0 max-md:py-1 max-md:before:block max-md:before:text-xs max-md:before:uppercase max-md:before:text-gray-700 dark:max-md:before:text-gray-300 max-md:before:content-[attr(data-label)]';
/** A card table's row: a two-column card on a narrow screen. */
export const CARD_ROW = 'border-t border-gray-200 max-md:grid max-md:grid-cols-2 max-md:gap-x-4 max-md:px-3 max-md:py-2 dark:border-gray-800';

/** What a page shows instead of an empty table. */
export function EmptyNote({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <p className="rounded border border-dashed border-gray-400 p-6 text-center text-sm text-gray-700 dark:border-gray-600 dark:text-gray-300" data-testid={testId}>
      {children}
    </p>
  );
}
