// The liveness probe scheduler: one timer for the whole process, walking the open phones round
// robin so that each is probed once per PROBE_INTERVAL_MS and the probes are spread evenly over
// the interval (never all at once). The list is taken once per round; a phone opened meanwhile
// is probed from the next round on. Each probe is due one gap after the previous one was due,
// not after it ran: timers fire late and the probe's own synchronous work takes time, and at
// 2,000 phones (30 ms gaps) that lateness stretched a 60 s interval to 64 s (bench/health.ts).
// A tick later than a whole gap (a stalled event loop) does not make up the lost time in a burst.
import { probeGap } from './probe-policy';

export interface ProbeTarget {
  readonly phoneId: number;
  /** runs one probe and applies its outcome; never rejects */
  probe(timeoutMs: number): Promise<void>;
}

export interface ProberOptions {
  /** the phones to probe now (open ones) */
  targets: () => ProbeTarget[];
  intervalMs: number;
  timeoutMs: number;
}

export class Prober {
  private timer: NodeJS.Timeout | null = null;
  private round: ProbeTarget[] = [];
  private next = 0;
  private stopped = true;
  /** when the probe of the current tick was due (performance.now()) */
  private dueAt = 0;
  /** probes started (bench, tests) */
  started = 0;

  constructor(private readonly opts: ProberOptions) {}

  start(): this {
    if (!this.stopped) return this;
    this.stopped = false;
    this.dueAt = performance.now();
    this.schedule(0);
    return this;
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick() {
    this.timer = null;
    if (this.next >= this.round.length) {
      this.round = this.opts.targets();
      this.next = 0;
      // Nothing to probe: look again in one interval.
      if (!this.round.length) {
        this.dueAt = performance.now() + this.opts.intervalMs;
        return this.schedule(this.opts.intervalMs);
      }
    }
    const target = this.round[this.next++];
    this.started++;
    void target.probe(this.opts.timeoutMs);
    const now = performance.now();
    this.dueAt = Math.max(this.dueAt + probeGap(this.opts.intervalMs, this.round.length), now);
    this.schedule(this.dueAt - now);
  }
}
