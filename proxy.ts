// Page-level sign-in redirect. API routes are guarded by lib/api/route.ts (JSON 401/403), so they
// and static assets are excluded here.
import { withAuth } from 'next-auth/middleware';
import type { NextRequest, NextFetchEvent } from 'next/server';

const guard = withAuth({ pages: { signIn: '/login' } });

export function proxy(req: NextRequest, event: NextFetchEvent) {
  return (guard as unknown as (r: NextRequest, e: NextFetchEvent) => Promise<Response>)(req, event);
}

export const config = {
  matcher: ['/((?!api/|login|_next/|favicon.ico|icon.svg|robots.txt).*)'],
};
