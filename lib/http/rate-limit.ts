// In-process fixed-window counters per key (a client address, a token): cheap enough to consult
// on every request, bounded in memory (the oldest keys are forgotten first). Per process: a fleet
// of N nodes lets N times the limit through at most (docs/security.md).

export interface WindowLimit {
  /** events allowed per window */
  max: number;
  windowMs: number;
}

export type LimitCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const MAX_KEYS = 50_000;

export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: () => WindowLimit) {}

  private current(key: string, now: number) {
    const { windowMs } = this.limit();
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0 };
      this.windows.delete(key);
      this.windows.set(key, w);
      if (this.windows.size > MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string);
    }
    return w;
  }

  private refusal(w: { start: number }, now: number): LimitCheck {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + this.limit().windowMs - now) / 1000)) };
  }

  /** Whether `key` is over its limit now, without counting anything. */
  check(key: string, now = Date.now()): LimitCheck {
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.limit().windowMs || w.count < this.limit().max) return { allowed: true };
    return this.refusal(w, now);
  }

  /**
   * Marks `key` as over its limit for `retryAfterSeconds` more (another process counted past it:
   * the shared count said so), so later checks here refuse it without asking again.
   */
  blockFor(key: string, retryAfterSeconds: number, now = Date.now()): void {
    const { windowMs, max } = this.limit();
    const start = Math.min(now, now + retryAfterSeconds * 1000 - windowMs);
    this.windows.delete(key);
    this.windows.set(key, { start, count: Math.max(max, 1) });
    if (this.windows.size > MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string);
  }

  /** Counts one event for `key`; refused when it is past the limit (refused events count too). */
  hit(key: string, now = Date.now()): LimitCheck {
    const w = this.current(key, now);
    w.count++;
    return w.count <= this.limit().max ? { allowed: true } : this.refusal(w, now);
  }
}
