// The phone page's timeline follows live events by reading its newest page again and merging it,
// never by refetching every loaded page (that raced "Older events").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeNewestPage } from '../../../lib/ui/timeline';

const ev = (...ids: number[]) => ids.map((id) => ({ id }));

test('one page loaded: the fresh newest page replaces it, cursor included', () => {
  const merged = mergeNewestPage({ pages: [{ items: ev(3, 2, 1), nextCursor: null }], pageParams: [0] }, { items: ev(5, 4, 3), nextCursor: 3 });
  assert.deepEqual(merged, { pages: [{ items: ev(5, 4, 3), nextCursor: 3 }], pageParams: [0] });
});

test('older pages loaded: new events go in front of the first page and every loaded page stays', () => {
  const old = { pages: [{ items: ev(9, 8, 7), nextCursor: 7 }, { items: ev(6, 5, 4), nextCursor: 4 }], pageParams: [0, 7] };
  const merged = mergeNewestPage(old, { items: ev(11, 10, 9), nextCursor: 9 });
  assert.deepEqual(merged, { pages: [{ items: ev(11, 10, 9, 8, 7), nextCursor: 7 }, { items: ev(6, 5, 4), nextCursor: 4 }], pageParams: [0, 7] });
  assert.equal(mergeNewestPage(old, { items: ev(9, 8, 7), nextCursor: 7 }), old, 'nothing new: the same object');
});

test('more new events than a page holds: null, the caller reads the timeline again', () => {
  const old = { pages: [{ items: ev(9, 8), nextCursor: 8 }, { items: ev(7, 6), nextCursor: 6 }], pageParams: [0, 8] };
  assert.equal(mergeNewestPage(old, { items: ev(20, 19), nextCursor: 19 }), null);
  // A fresh page that reaches the loaded events is merged.
  assert.deepEqual(mergeNewestPage(old, { items: ev(10, 9), nextCursor: 9 })?.pages[0].items, ev(10, 9, 8));
});

test('an answer older than what is shown (overlapping reads) changes nothing', () => {
  const old = { pages: [{ items: ev(82, 81, 33), nextCursor: 33 }], pageParams: [0] };
  assert.equal(mergeNewestPage(old, { items: ev(74, 73, 25), nextCursor: 25 }), old);
});
