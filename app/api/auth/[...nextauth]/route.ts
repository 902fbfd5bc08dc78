import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/options';
import { throttledLoginResponse } from '@/lib/auth/login-throttle-gate';

type Ctx = { params: Promise<{ nextauth: string[] }> };

async function handler(req: Request, ctx: Ctx) {
  const throttled = await throttledLoginResponse(req);
  if (throttled) return throttled;
  return NextAuth(authOptions())(req, ctx);
}

export { handler as GET, handler as POST };
