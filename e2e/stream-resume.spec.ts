// The console's own stream client in a real browser: a `reset` event makes it reload the session
// list at once. The page's clock is paused so that the 3 s polling fallback cannot be mistaken for
// the reload. (Resuming with Last-Event-ID is the browser's own EventSource behaviour; the server
// side is tested in test/integration/api/sse-resume.test.ts.)
// Why the stream is answered by page.route and not by the real server (issue 23.7): the real
// `reset` needs the browser to stay away while more events than the buffer holds happen, but
// EventSource reconnects on its own within a second, and the specs share one console whose buffer
// (SSE_BUFFER_SIZE) is the product default. The server's `reset` is real in sse-resume.test.ts;
// here only the browser's handling of it is under test, with the real page and the real client.
import { test, expect } from '@playwright/test';
import { e2eEnv, logIn } from './support/env';

test('the sessions page reloads its list on `reset`', async ({ page }) => {
  await logIn(page);
  let release: () => void = () => {};
  const released = new Promise<void>((r) => (release = r));
  const streamRequests: (string | undefined)[] = [];
  let isReleased = false;
  await page.route('**/api/sessions/stream', async (route) => {
    const lastEventId = route.request().headers()['last-event-id'];
    streamRequests.push(lastEventId);
    if (!isReleased) {
      await released;
      // The server says: what you missed is gone, reload. Reconnect soon, from this event's id.
      await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: 'retry: 200\nid: test-7\nevent: reset\ndata: {"reason":"gap","sessions":[]}\n\n' });
    } else {
      await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: 'retry: 600000\n\n' });
    }
  });
  let listFetches = 0;
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.pathname === '/api/sessions' && req.method() === 'GET') listFetches++;
  });
  // The page renders with time flowing (React reveals streamed content on a timer), then page time
  // stands still: only runFor below moves it.
  await page.clock.install();
  await page.goto(e2eEnv().url + '/');
  await expect(page.getByTestId('live-indicator')).toBeVisible();
  await expect.poll(() => streamRequests.length).toBeGreaterThan(0);
  // A little ahead of the page's clock, which keeps running while this call travels (a busy machine).
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 2000);
  // A polling fetch that was due fires now; the next one is a whole polling interval (3 s) away,
  // far more than the 200 ms of page time the check below lets pass.
  await page.clock.runFor(3100);
  await page.waitForTimeout(300);
  const before = listFetches;
  isReleased = true;
  release();
  // Only a little page time passes: far less than the polling interval.
  for (let i = 0; i < 8 && listFetches === before; i++) {
    await page.clock.runFor(25);
    await page.waitForTimeout(50);
  }
  expect(listFetches, 'the list was fetched again because of `reset`').toBeGreaterThan(before);
  expect(streamRequests[0], 'a first connection has no id to resume from').toBeUndefined();
});
