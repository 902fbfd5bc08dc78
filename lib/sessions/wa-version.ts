// The WhatsApp Web version the sockets announce, fetched (WA_VERSION_URL) instead of only pinned.
// WhatsApp refuses a stale version with a 405 close (Baileys #1937, #2370); Baileys' own
// `fetchLatestWaWebVersion` reads `client_revision` from web.whatsapp.com/sw.js. This module does
// the same from a configurable URL, caches the answer for WA_VERSION_TTL_MS, shares one fetch among
// all phones, falls back to the last version it knew (else the engine's bundled one) when the fetch
// fails or takes longer than WA_VERSION_TIMEOUT_MS, and fetches again as soon as WhatsApp refused
// the version it gave. A pinned WA_VERSION wins over all of it (session.ts).
import type { WaVersion } from './engines/types';

/** `client_revision` in sw.js (plain or inside an escaped JSON string), as Baileys 7 reads it; the version is 2.3000.<revision>. */
export function parseWaVersion(text: string): WaVersion | null {
  const m = /\\?"client_revision\\?":\s*(\d+)/.exec(text);
  if (!m) return null;
  const revision = Number(m[1]);
  return Number.isSafeInteger(revision) && revision > 0 ? [2, 3000, revision] : null;
}

export interface WaVersionState {
  /** the last version fetched, and when */
  known: { version: WaVersion; at: number } | null;
  /** WhatsApp refused the known version (405): fetch again on the next socket */
  refused: boolean;
  /** when the last fetch failed (null after a success) */
  failedAt: number | null;
}

export const initialWaVersionState = (): WaVersionState => ({ known: null, refused: false, failedAt: null });

/** After a failed fetch, the next one waits this long (at most the TTL), so a dead URL is not hit by every reconnect. */
export const RETRY_AFTER_FAILURE_MS = 30_000;

/** Pure: whether a socket opened `now` should fetch the version first. */
export function shouldFetch(state: WaVersionState, now: number, ttlMs: number): boolean {
  if (state.failedAt !== null && now - state.failedAt < Math.min(ttlMs, RETRY_AFTER_FAILURE_MS) && !state.refused) return false;
  if (!state.known || state.refused) return true;
  return now - state.known.at >= ttlMs;
}

/** Pure: the version to announce: the known one, else the fallback (pinned or the engine's bundled one). */
export const versionToUse = (state: WaVersionState, fallback: WaVersion): { version: WaVersion; source: 'fetched' | 'fallback' } =>
  state.known ? { version: state.known.version, source: 'fetched' } : { version: fallback, source: 'fallback' };

const sameVersion = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);

/** Pure: WhatsApp refused `version` (a 405): the known version is stale if it is the one refused (or none is known). */
export function afterRefusal(state: WaVersionState, version: WaVersion): WaVersionState {
  if (state.known && !sameVersion(state.known.version, version)) return state; // refused an older one; the known one is newer
  return { ...state, refused: true };
}

export type FetchText = (url: string, signal: AbortSignal) => Promise<string>;

const fetchText: FetchText = async (url, signal) => {
  const res = await fetch(url, { signal, headers: { 'sec-fetch-site': 'none' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
};

export interface WaVersionSourceOptions {
  url: string;
  ttlMs: number;
  timeoutMs: number;
  /** the HTTP GET (global fetch when not given) */
  fetchText?: FetchText;
  now?: () => number;
  /** told of a failed fetch (the manager logs it) */
  onError?: (err: unknown) => void;
}

/** One per process: every phone's socket asks it for the version to announce. */
export class WaVersionSource {
  private state = initialWaVersionState();
  private inFlight: Promise<void> | null = null;

  constructor(private readonly opts: WaVersionSourceOptions) {}

  /** The version for a new socket: fetched when due (one fetch shared), else the known one, else `fallback`. */
  async current(fallback: WaVersion): Promise<{ version: WaVersion; source: 'fetched' | 'fallback' }> {
    const now = this.opts.now ?? Date.now;
    if (shouldFetch(this.state, now(), this.opts.ttlMs)) await (this.inFlight ??= this.fetch().finally(() => (this.inFlight = null)));
    return versionToUse(this.state, fallback);
  }

  /** WhatsApp closed a socket with 405 for `version`: the next socket fetches again. */
  refused(version: WaVersion) {
    this.state = afterRefusal(this.state, version);
  }

  /** What is known (tests, metrics). */
  get known(): WaVersion | null {
    return this.state.known?.version ?? null;
  }

  private async fetch() {
    const now = this.opts.now ?? Date.now;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    try {
      const text = await (this.opts.fetchText ?? fetchText)(this.opts.url, abort.signal);
      const version = parseWaVersion(text);
      if (!version) throw new Error('no client_revision in the version document');
      this.state = { known: { version, at: now() }, refused: false, failedAt: null };
    } catch (err) {
      // keep the last known version (even if refused: nothing better is known), try again later
      this.state = { ...this.state, refused: false, failedAt: now() };
      this.opts.onError?.(err);
    } finally {
      clearTimeout(timer);
    }
  }
}
