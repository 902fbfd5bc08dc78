// The phone page's timeline is an infinite query (newest page first, "Older events" appends
// pages). A live event must not refetch every loaded page: that refetch raced the "Older" click
// and could drop what it loaded. Instead the newest page is read again and merged here.

export interface TimelinePage<T extends { id: number }> {
  items: T[];
  nextCursor: number | null;
}

export interface TimelineData<T extends { id: number }> {
  pages: TimelinePage<T>[];
  pageParams: unknown[];
}

/**
 * The timeline with the newest page `fresh` (as read now) merged in:
 * - with one page loaded, `fresh` replaces it (its cursor too): the same as a refetch;
 * - with older pages loaded, the events of `fresh` newer than every loaded one are put in front
 *   of the first page, and every loaded page stays as it is;
 * - `old` itself when `fresh` is older than what it shows (an earlier read answered last);
 * - `null` when `fresh` does not reach back to the loaded events (more new events than a page
 *   holds): merging would leave a hole, so the caller reads the whole timeline again.
 */
export function mergeNewestPage<T extends { id: number }>(old: TimelineData<T>, fresh: TimelinePage<T>): TimelineData<T> | null {
  const newest = Math.max(-Infinity, ...old.pages.flatMap((p) => p.items.map((i) => i.id)));
  // An answer older than what is shown (reads overlapped): keep what is shown.
  if (Math.max(-Infinity, ...fresh.items.map((i) => i.id)) < newest) return old;
  if (old.pages.length <= 1) return { pages: [fresh], pageParams: old.pageParams.slice(0, 1).length ? old.pageParams.slice(0, 1) : [0] };
  const added = fresh.items.filter((i) => i.id > newest);
  if (!added.length) return old;
  // The fresh page is full and every item in it is new: events between it and the loaded ones may be missing.
  if (added.length === fresh.items.length && fresh.nextCursor !== null) return null;
  const [first, ...rest] = old.pages;
  return { pages: [{ ...first, items: [...added, ...first.items] }, ...rest], pageParams: old.pageParams };
}
