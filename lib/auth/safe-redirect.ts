// Where to go after sign-in: only a path on the console's own origin. Parsed the way browsers
// parse it (WHATWG URL: backslashes are slashes, tabs and newlines are dropped), so
// `//other-host/x`, `/\other-host`, `/<TAB>/other-host` and absolute URLs of other origins are all
// refused; the result never starts with `//`. Used by the login form and NextAuth's redirect
// callback. No Node or Next imports: runs in the browser too.

/** A same-origin path (`/sessions?x=1#y`) for `target`, or `fallback` when it leaves `origin`. */
export function safeRedirectPath(target: string | null | undefined, origin: string, fallback = '/'): string {
  if (!target) return fallback;
  let url: URL;
  let base: URL;
  try {
    base = new URL(origin);
    url = new URL(target, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin) return fallback;
  const path = `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}${url.hash}`;
  return path;
}
