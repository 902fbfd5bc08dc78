// The storm guard of the Bad MAC / Bad Decrypt repair: at most `maxPerMinute` key repairs per
// sender in any 60 s window; the failures beyond are still counted (the seed's limits apply), only
// the repair is skipped. A flood (168,000 Bad MACs in two hours ran a process out of memory,
// Baileys #2234) then costs a bounded number of database deletes. Memory is bounded too: one
// small entry per sender seen in the last minute, at most `maxSenders` (the oldest goes first).
export class RepairGuard {
  private windows = new Map<string, { start: number; repairs: number }>();
  /** repairs skipped because the sender was over its limit */
  suppressed = 0;
  repaired = 0;

  constructor(
    private readonly maxPerMinute: number,
    private readonly maxSenders = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** true: repair now; false: over the limit for this sender this minute (counted in `suppressed`). */
  allow(sender: string): boolean {
    const t = this.now();
    let w = this.windows.get(sender);
    if (!w || t - w.start >= 60_000) {
      if (w) this.windows.delete(sender);
      w = { start: t, repairs: 0 };
      this.windows.set(sender, w);
      if (this.windows.size > this.maxSenders) this.windows.delete(this.windows.keys().next().value!);
    }
    if (w.repairs >= this.maxPerMinute) {
      this.suppressed++;
      return false;
    }
    w.repairs++;
    this.repaired++;
    return true;
  }

  /** senders tracked now (the memory bound) */
  get size() {
    return this.windows.size;
  }
}
