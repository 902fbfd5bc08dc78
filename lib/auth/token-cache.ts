// The policies that keep a bearer token's check off the database on most requests (issue 28.3),
// pure and clocked by the caller (unit-tested in test/unit/platform/token-cache.test.ts):
//
// - TokenCheckCache: a valid token's actor, kept for `ttlMs` after the database read that found it
//   *started* (so no entry outlives a revocation committed after that read by more than `ttlMs`),
//   at most `capacity` entries, least recently used evicted first. Keyed by the token's SHA-256,
//   never the token. Only valid tokens are kept: an invalid one always reaches the database (and
//   the failure throttle).
// - lastUsedDue: whether a token's lastUsedAt should be written now (at most once per resolution).
//
// Revocation (lib/auth/tokens.ts, docs/security.md "API tokens"): the revoking call drops the entry
// here and answers only once `ttlMs` has passed since its write committed. Every entry of any
// process was read before that commit (a later read sees the revocation), so by then every entry
// for the token has expired and the token is refused everywhere on the next request.

export interface CachedCheck<V> {
  value: V;
  /** when the database read behind it started (ms, the caller's clock) */
  checkedAt: number;
}

export class TokenCheckCache<V> {
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  private readonly entries = new Map<string, CachedCheck<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached value, or undefined when absent or expired (an expired entry is dropped). */
  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.checkedAt >= this.ttlMs || now < entry.checkedAt) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps a value read by a check that started at `checkedAt`; a disabled cache (ttl 0) keeps nothing. */
  set(key: string, value: V, checkedAt: number, now: number): void {
    if (this.ttlMs <= 0 || this.capacity <= 0 || now - checkedAt >= this.ttlMs) return;
    // A later check of the same token may have stored a fresher entry already: keep the fresher.
    const current = this.entries.get(key);
    if (current && current.checkedAt > checkedAt) return;
    this.entries.delete(key);
    this.entries.set(key, { value, checkedAt });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** lastUsedAt is due when never written, or last written at least `resolutionMs` ago (or in the future: a clock step). */
export function lastUsedDue(lastWrittenMs: number | null, now: number, resolutionMs: number): boolean {
  return lastWrittenMs === null || now - lastWrittenMs >= resolutionMs || now < lastWrittenMs;
}
