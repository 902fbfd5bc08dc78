// Answers a credentials sign-in POST with 429 before NextAuth runs when the email+IP is throttled.
// The body carries `url` with the message as `error`, which next-auth's signIn() reports.
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { json } from '../api/errors';
import { clientIp } from './options';
import { loginBlockedFor, throttleKey, throttleMessage } from './throttle';

export async function throttledLoginResponse(req: Request): Promise<Response | null> {
  if (req.method !== 'POST' || !new URL(req.url).pathname.endsWith('/callback/credentials')) return null;
  const form = await req.clone().formData().catch(() => null);
  const email = String(form?.get('email') ?? '');
  if (!email) return null;
  const config = getConfig();
  const wait = await loginBlockedFor(getDb(), throttleKey(email, clientIp(req.headers)), {
    maxFailures: config.LOGIN_MAX_FAILURES,
    windowMs: config.LOGIN_WINDOW_MS,
  });
  if (wait === 0) return null;
  const message = throttleMessage(wait);
  const base = config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`;
  return json({ error: message, url: `${base}/login?error=${encodeURIComponent(message)}` }, 429, {
    'retry-after': String(wait),
  });
}
