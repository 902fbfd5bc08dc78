// Group commit: work handed in during one macrotask (or up to `maxItems` of it) runs as one batch —
// one transaction, one query — and each caller's promise settles only when its batch has. One bad
// item must not fail the others: when a batch of several fails, its items are run again one by
// one, so each caller gets its own outcome.
export interface BatcherOptions {
  /** the most items one batch takes; the rest go to the next one */
  maxItems?: number;
  /** how many batches may be in flight at once (1 = classic group commit: the next batch collects while one commits) */
  concurrency?: number;
  /** defers the flush; setImmediate by default (one macrotask) */
  schedule?: (fn: () => void) => void;
  /** how many items a batch may take given their sizes (e.g. a bound on SQL parameters) */
  weight?: (item: unknown) => number;
  maxWeight?: number;
  /** whether a failed batch is worth retrying item by item (not when the database is simply unreachable); default yes */
  retryItems?: (err: unknown) => boolean;
}

interface Pending<I, R> {
  item: I;
  resolve(value: R): void;
  reject(err: unknown): void;
}

export class Batcher<I, R> {
  private queue: Pending<I, R>[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxItems: number;
  private readonly concurrency: number;
  private readonly schedule: (fn: () => void) => void;
  private readonly weight: (item: I) => number;
  private readonly maxWeight: number;
  private readonly retryItems: (err: unknown) => boolean;
  /** batches run so far (tests and metrics) */
  batches = 0;

  /** `run` gets a batch and returns one result per item, in order; it throws when the batch failed as a whole. */
  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    opts: BatcherOptions = {},
  ) {
    this.maxItems = opts.maxItems ?? 256;
    this.concurrency = opts.concurrency ?? 1;
    this.schedule = opts.schedule ?? ((fn) => setImmediate(fn));
    this.weight = (opts.weight as (item: I) => number) ?? (() => 1);
    this.maxWeight = opts.maxWeight ?? Infinity;
    this.retryItems = opts.retryItems ?? (() => true);
  }

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  /** items waiting for a batch (not the ones in flight) */
  get waiting() {
    return this.queue.length;
  }

  private kick() {
    if (this.scheduled || !this.queue.length || this.inFlight >= this.concurrency) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private take(): Pending<I, R>[] {
    let weight = 0;
    let n = 0;
    while (n < this.queue.length && n < this.maxItems) {
      const w = this.weight(this.queue[n].item);
      if (n > 0 && weight + w > this.maxWeight) break;
      weight += w;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private flush() {
    while (this.queue.length && this.inFlight < this.concurrency) {
      const batch = this.take();
      this.inFlight++;
      this.batches++;
      void this.execute(batch).finally(() => {
        this.inFlight--;
        this.kick();
      });
    }
  }

  private async execute(batch: Pending<I, R>[]) {
    try {
      const results = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
      return;
    } catch (err) {
      if (batch.length === 1 || !this.retryItems(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
    }
    // The batch failed as a whole: find out whose item it was.
    for (const p of batch) {
      try {
        const [result] = await this.run([p.item]);
        p.resolve(result);
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
