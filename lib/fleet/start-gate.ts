// Staggered start: boot and failover open phones through a concurrency limit and a rate, so
// thousands of phones never connect in the same second (a reconnect storm is a known way to be
// rate-limited). Each start holds its slot until the phone has settled (open, pairing or closed)
// or `slotTimeoutMs` passed.
export interface StartGateOptions {
  concurrency: number;
  perSecond: number;
  slotTimeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class StartGate {
  private active = 0;
  private waiters: (() => void)[] = [];
  private nextAt = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: StartGateOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** in-flight starts (tests, metrics) */
  get inFlight() {
    return this.active;
  }

  private async acquire() {
    while (this.active >= this.opts.concurrency) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
    // The rate: one start every 1/perSecond s, reserved in order.
    const interval = 1000 / this.opts.perSecond;
    const at = Math.max(this.now(), this.nextAt);
    this.nextAt = at + interval;
    const wait = at - this.now();
    if (wait > 0) await this.sleep(wait);
  }

  private release() {
    this.active--;
    this.waiters.shift()?.();
  }

  /** Runs `start`, then holds the slot until `settled` resolves (bounded by the slot timeout). */
  async run(start: () => Promise<void>, settled: () => Promise<void> = async () => {}): Promise<void> {
    await this.acquire();
    let timer: NodeJS.Timeout | undefined;
    try {
      await start();
      await Promise.race([settled(), new Promise<void>((r) => (timer = setTimeout(r, this.opts.slotTimeoutMs ?? 30_000)))]);
    } finally {
      clearTimeout(timer);
      this.release();
    }
  }
}
