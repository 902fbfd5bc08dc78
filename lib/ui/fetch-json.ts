// Fetch helper for client components: JSON in and out, errors carry the server's message, code
// and field-level details. A request that never reached the console (it is down, the network is
// gone) fails with the code `unreachable`, worded by the UI instead of the browser's "Failed to
// fetch" (issue 27.8).
export interface FieldIssue {
  path: string;
  message: string;
}

export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The API's per-field validation issues (`details` of a 400), [] when there are none. */
  get fieldIssues(): FieldIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter((d): d is FieldIssue => !!d && typeof d.path === 'string' && typeof d.message === 'string');
  }
}

export async function fetchJson<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init?.method ?? 'GET',
      headers: init?.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
    });
  } catch (err) {
    throw new RequestError(0, `The console cannot be reached (${(err as Error)?.message ?? err})`, 'unreachable');
  }
  const text = await res.text().catch(() => '');
  let data: { error?: string; code?: string; details?: unknown } | null = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    // A proxy's or gateway's own page (502/503/504 without our JSON): the console is not answering.
    if (!data?.code && (res.status === 502 || res.status === 503 || res.status === 504)) throw new RequestError(res.status, `HTTP ${res.status}`, 'unreachable');
    throw new RequestError(res.status, (data && data.error) || `HTTP ${res.status}`, data?.code, data?.details);
  }
  return data as T;
}
