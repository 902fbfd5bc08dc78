// A sign-in storm against a running console (issue 21.3): 16 client addresses, each sign-in with
// a new email and a wrong password, sent through a loopback "reverse proxy" address whose
// X-Forwarded-For names the client (the console must run with TRUSTED_PROXIES=STORM_PROXY_ADDRESS).
// Used by test/integration/platform/auth-floods.test.ts (a bound that survives a busy CI) and by
// `npm run bench -- auth-storm` (the ratio itself, several samples on one machine).
import http from 'node:http';

/** Plays the reverse proxy (TRUSTED_PROXIES): its X-Forwarded-For names the client address. */
export const STORM_PROXY_ADDRESS = '127.0.0.2';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** One sign-in as client `address` (through the trusted proxy); the answer's status. */
export async function signInAs(url: string, address: string, email: string, password: string): Promise<number> {
  const via = { localAddress: STORM_PROXY_ADDRESS, headers: { 'x-forwarded-for': address } };
  const csrf = await request(`${url}/api/auth/csrf`, via);
  const cookie = ([] as string[]).concat(csrf.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const body = new URLSearchParams({ email, password, csrfToken: JSON.parse(csrf.text).csrfToken, callbackUrl: url, json: 'true' }).toString();
  const res = await request(`${url}/api/auth/callback/credentials`, {
    method: 'POST',
    localAddress: STORM_PROXY_ADDRESS,
    headers: { ...via.headers, cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  return res.status;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `n` authenticated list calls one after another: each one's time in ms (a non-200 throws). */
export async function apiLatencies(url: string, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await request(`${url}/api/sessions?limit=20`, { headers: { authorization: `Bearer ${token}` } });
    out.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`GET /api/sessions answered ${res.status}: ${res.text}`);
  }
  return out;
}

let stormEmail = 0;

/**
 * The API's p50 with nobody signing in, then while 16 addresses sign in without pause (measured
 * once every client has started); the storm's statuses. `sample` keeps the addresses of one sample
 * apart from another's, so no sample starts throttled by the one before.
 */
export async function signInStormSample(url: string, token: string, opts: { calls: number; sample: number }): Promise<{ quietMs: number; stormMs: number; statuses: number[] }> {
  const quietMs = median(await apiLatencies(url, token, opts.calls));
  let stop = false;
  const statuses: number[] = [];
  const clients = Array.from({ length: 16 }, async (_, c) => {
    while (!stop) statuses.push(await signInAs(url, `198.51.${100 + opts.sample}.${c + 1}`, `storm${stormEmail++}@storm.test`, 'wrong-password'));
  });
  try {
    while (statuses.length < 16) await new Promise((r) => setTimeout(r, 20));
    const stormMs = median(await apiLatencies(url, token, opts.calls));
    return { quietMs, stormMs, statuses };
  } finally {
    stop = true;
    await Promise.all(clients);
  }
}
