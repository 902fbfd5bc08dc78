// Unknown /api paths answer JSON 404 instead of the HTML not-found page.
//
// One exception, off by default: with BENCH_BASELINE_ROUTE, GET /api/bench-baseline answers a
// constant. It is the API bench's floor (bench/api.ts): a bare route handler served by the same
// server, with no auth, no database and no wrapper, that the authenticated routes are compared
// with. It reads nothing and reveals nothing (the body is a fixed `{"ok":true}`); when off, its
// answer is byte for byte the 404 of any unknown path. Not an operation of the OpenAPI document.
import { json } from '@/lib/api/errors';
import { getConfig } from '@/lib/config';

const notFound = async () => json({ error: 'No such API endpoint', code: 'not_found' }, 404);

const BASELINE = '{"ok":true}';

async function GET(req: Request) {
  if (getConfig().BENCH_BASELINE_ROUTE && new URL(req.url).pathname === '/api/bench-baseline') {
    return new Response(BASELINE, { headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
  }
  return notFound();
}

export { GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
