// The console's security headers. Pages: a Content-Security-Policy with a per-request nonce, made
// in proxy.ts (Next puts the nonce on its own scripts). Every answer, API and static files
// included: the fixed headers below, from next.config.mjs (keep the two lists equal; the HTTP
// test checks them). HSTS only when the console is served over https (NEXTAUTH_URL).

/** Headers on every answer. */
export const FIXED_SECURITY_HEADERS: Record<string, string> = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** CSP of the JSON API: nothing may load, nothing may frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export const HSTS = 'max-age=31536000; includeSubDomains';

export function isHttps(nextAuthUrl: string | undefined): boolean {
  return (nextAuthUrl ?? '').startsWith('https://');
}

/**
 * The pages' policy: scripts only with this request's nonce (and what they load: strict-dynamic),
 * styles from the console's own files; inline style *attributes* are allowed (React's `style`
 * props, e.g. the error-counter bars), inline <style>/<script> elements are not.
 */
export function pageCsp(nonce: string, opts: { dev?: boolean; https?: boolean } = {}): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (opts.https) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}

/** A fresh nonce (base64 of 16 random bytes); Web Crypto, so it runs wherever proxy.ts runs. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
