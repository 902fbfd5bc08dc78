// Every page: a Content-Security-Policy with a fresh nonce (Next reads it from the request's
// CSP header and puts it on its scripts; lib/http/security-headers.ts) and, for pages other than
// /login, the sign-in redirect. API routes are guarded by lib/api/route.ts (JSON 401/403) and get
// their headers from next.config.mjs, so they and static assets are excluded.
import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';
import { isHttps, newNonce, pageCsp } from '@/lib/http/security-headers';

export async function proxy(req: NextRequest) {
  const https = isHttps(process.env.NEXTAUTH_URL);
  const isLogin = req.nextUrl.pathname === '/login';
  if (!isLogin) {
    const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET, secureCookie: https });
    if (!token) {
      // Back here after sign-in: a path on this origin only (the login form checks it again).
      const login = new URL('/login', req.url);
      login.searchParams.set('callbackUrl', `${req.nextUrl.pathname}${req.nextUrl.search}`);
      return NextResponse.redirect(login);
    }
  }
  const nonce = newNonce();
  const csp = pageCsp(nonce, { dev: process.env.NODE_ENV === 'development', https });
  const headers = new Headers(req.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set('content-security-policy', csp);
  return res;
}

export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|robots.txt).*)'],
};
