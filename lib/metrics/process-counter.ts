// A Prometheus counter counted where something happens (not read from the manager at scrape time
// like the gauges in ./index.ts, which registers it). One per name and process, kept on
// globalThis: every route bundle must count into the same one.
import client from 'prom-client';

const holder = globalThis as unknown as { __processCounters?: Map<string, client.Counter<string>> };

/** The process's counter `name` with one label; each of `values` is exported at 0 from the start. */
export function processCounter<L extends string>(name: string, help: string, label: L, values: readonly string[]): client.Counter<L> {
  const counters = (holder.__processCounters ??= new Map());
  let counter = counters.get(name);
  if (!counter) {
    counter = new client.Counter({ name, help, labelNames: [label], registers: [] });
    for (const value of values) counter.inc({ [label]: value }, 0);
    counters.set(name, counter);
  }
  return counter as client.Counter<L>;
}
