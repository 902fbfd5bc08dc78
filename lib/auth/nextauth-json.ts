// NextAuth's routes under the "every /api answer is JSON with the right status" rule. NextAuth
// answers with redirects, HTML pages and plain-text errors; this wrapper
//  - refuses actions and methods it does not serve (JSON 404/405 instead of a text 500);
//  - accepts form or JSON bodies and always asks NextAuth for JSON (`json=true`);
//  - maps NextAuth's answers: a failed sign-in → 401, bad CSRF token → 403, a throttled sign-in →
//    429 with Retry-After, a database outage → 503, success → 200 `{ url }`; Set-Cookie is kept.
// The `url` stays in error answers so next-auth/react's signIn() reads the error from it.
import { json, toResponse } from '../api/errors';
import { signInContext, type SignInContext } from './sign-in-context';
import { throttleMessage } from './throttle';

type Ctx = { params: Promise<{ nextauth?: string[] }> };
type Handler = (req: Request, ctx: Ctx) => Promise<Response>;
/** Builds the request handed to NextAuth (the route passes `new NextRequest(...)`). */
type MakeRequest = (url: string, init: { method: string; headers: Headers; body?: string }) => Request;

const GET_ACTIONS = new Set(['csrf', 'session', 'providers', 'signin', 'error']);
const POST_ACTIONS = new Set(['signin', 'callback', 'signout', 'session', '_log']);

function methodNotAllowed(allowed: string): Response {
  return json({ error: `Method not allowed: this endpoint accepts ${allowed}`, code: 'method_not_allowed' }, 405, { allow: allowed });
}

/** The body's fields as strings, from a form or a JSON object; null when unusable. */
export function bodyFields(contentType: string, text: string): { fields: Record<string, string> } | { error: Response } {
  if (contentType.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = text.trim() ? JSON.parse(text) : {};
    } catch {
      return { error: json({ error: 'Malformed JSON body', code: 'bad_request' }, 400) };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { error: json({ error: 'The body must be a JSON object', code: 'bad_request' }, 400) };
    }
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (v === null || v === undefined) continue;
      fields[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return { fields };
  }
  if (contentType.includes('application/x-www-form-urlencoded') || text === '') {
    return { fields: Object.fromEntries(new URLSearchParams(text)) };
  }
  return { error: json({ error: 'Send application/x-www-form-urlencoded or application/json', code: 'unsupported_media_type' }, 415) };
}

/** Maps NextAuth's answer (made with json=true) to a JSON answer with the right status. */
export async function mapNextAuthResponse(res: Response, ctx: SignInContext, loginUrl: string): Promise<Response> {
  const headers = new Headers();
  for (const cookie of res.headers.getSetCookie()) headers.append('set-cookie', cookie);
  const withHeaders = (r: Response) => {
    for (const cookie of headers.getSetCookie()) r.headers.append('set-cookie', cookie);
    return r;
  };

  if (ctx.throttledForSeconds) {
    const message = throttleMessage(ctx.throttledForSeconds);
    return withHeaders(
      json({ error: message, code: 'too_many_requests', retryAfterSeconds: ctx.throttledForSeconds, url: `${loginUrl}?error=${encodeURIComponent(message)}` }, 429, {
        'retry-after': String(ctx.throttledForSeconds),
      }),
    );
  }
  if (ctx.failure !== undefined) {
    // 503 while the database is down (500 otherwise), with a `url` so the login form shows it.
    const mapped = toResponse(ctx.failure);
    const body = (await mapped.json()) as { error: string };
    const retry = mapped.headers.get('retry-after');
    return withHeaders(json({ ...body, url: `${loginUrl}?error=${encodeURIComponent(body.error)}` }, mapped.status, retry ? { 'retry-after': retry } : undefined));
  }

  const type = res.headers.get('content-type') ?? '';
  let url = res.headers.get('location');
  let data: unknown;
  if (!url && type.includes('json')) {
    data = await res.json().catch(() => undefined);
    const candidate = (data as { url?: unknown } | undefined)?.url;
    if (typeof candidate === 'string') url = candidate;
  }
  if (url) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url, loginUrl);
    } catch {
      parsed = null;
    }
    const error = parsed?.searchParams.get('error');
    if (parsed?.searchParams.has('csrf')) {
      return withHeaders(json({ error: 'CSRF token missing or invalid: fetch one from /api/auth/csrf', code: 'csrf_failed', url }, 403));
    }
    if (error === 'CredentialsSignin') return withHeaders(json({ error: 'Invalid email or password', code: 'invalid_credentials', url }, 401));
    if (error === 'AccessDenied') return withHeaders(json({ error: 'Access denied', code: 'forbidden', url }, 403));
    if (error) return withHeaders(json({ error: 'Sign-in failed', code: 'sign_in_failed', url }, res.status >= 400 ? res.status : 401));
    return withHeaders(json({ url }, 200));
  }
  if (type.includes('json')) {
    const status = res.status >= 300 && res.status < 400 ? 200 : res.status;
    return withHeaders(json(data ?? {}, status));
  }
  if (res.status >= 500) return withHeaders(json({ error: 'Internal error', code: 'internal' }, 500));
  if (res.status >= 400) return withHeaders(json({ error: 'Bad request', code: 'bad_request' }, res.status));
  return withHeaders(json({ error: 'Not found', code: 'not_found' }, 404));
}

export function nextAuthJson(handler: Handler, makeRequest: MakeRequest, loginUrl: () => string) {
  return async (req: Request, context: Ctx): Promise<Response> => {
    try {
      const action = (await context.params)?.nextauth?.[0] ?? '';
      const method = req.method.toUpperCase();
      const servesGet = GET_ACTIONS.has(action);
      const servesPost = POST_ACTIONS.has(action);
      if (!servesGet && !servesPost) return json({ error: 'Not found', code: 'not_found' }, 404);
      const allowed = [servesGet && 'GET', servesPost && 'POST'].filter(Boolean).join(', ');
      if (method === 'GET' && !servesGet) return methodNotAllowed(allowed);
      if (method === 'POST' && !servesPost) return methodNotAllowed(allowed);
      if (method !== 'GET' && method !== 'POST') return methodNotAllowed(allowed);

      if (action === 'error') {
        // NextAuth's own error page answers ?error=Configuration with a 500 (issue 21.6): the
        // console has no such page; the sign-in form shows the error named in the login URL.
        const named = new URL(req.url).searchParams.get('error') ?? '';
        const known = /^[A-Za-z]{1,40}$/.test(named) ? named : 'Default';
        return json({ error: 'Sign-in failed', code: 'sign_in_failed', url: `${loginUrl()}?error=${encodeURIComponent(known)}` }, 400);
      }
      let forwarded = req;
      if (method === 'POST') {
        // The HTTP edge has bounded the body already (API_BODY_LIMIT).
        const parsed = bodyFields(req.headers.get('content-type') ?? '', await req.text());
        if ('error' in parsed) return parsed.error;
        const headers = new Headers(req.headers);
        headers.set('content-type', 'application/x-www-form-urlencoded');
        headers.delete('content-length');
        forwarded = makeRequest(req.url, { method: 'POST', headers, body: new URLSearchParams({ ...parsed.fields, json: 'true' }).toString() });
      }
      const ctx: SignInContext = {};
      const res = await signInContext.run(ctx, () => handler(forwarded, context));
      return await mapNextAuthResponse(res, ctx, loginUrl());
    } catch (err) {
      return toResponse(err);
    }
  };
}
