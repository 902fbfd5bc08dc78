import NextAuth from 'next-auth';
import { NextRequest } from 'next/server';
import { authOptions } from '@/lib/auth/options';
import { nextAuthJson } from '@/lib/auth/nextauth-json';
import { getConfig } from '@/lib/config';
import { otherMethods } from '@/lib/api/route';

type Ctx = { params: Promise<{ nextauth: string[] }> };

// NextAuth behind lib/auth/nextauth-json.ts: JSON answers with the right status (401, 403, 429, 503).
const handler = nextAuthJson(
  (req, ctx) => NextAuth(authOptions())(req, ctx as Ctx) as Promise<Response>,
  (url, init) => new NextRequest(url, init),
  () => `${getConfig().NEXTAUTH_URL ?? `http://localhost:${getConfig().PORT}`}/login`,
);

export { handler as GET, handler as POST };
export const { PUT, PATCH, DELETE } = otherMethods(['GET', 'POST']);
