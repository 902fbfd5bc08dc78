// A list that tests append to (engine events, log lines, received mail) and await: `waitFor`
// resolves with the first item that matches, already there or still to come, or rejects after a
// deadline with what did arrive. One helper for every recorder (docs/testing.md, "One helper each").
export interface AwaitableLog<T> {
  readonly items: T[];
  push(item: T): void;
  /** the first item at index `from` or later that matches; `describe` words the timeout's error */
  waitFor(pred: (item: T) => boolean, opts: { timeoutMs: number; from?: number; describe: () => string }): Promise<T>;
}

export function awaitableLog<T>(): AwaitableLog<T> {
  const items: T[] = [];
  const waiters = new Set<() => void>();
  return {
    items,
    push(item) {
      items.push(item);
      for (const w of waiters) w();
    },
    waitFor(pred, { timeoutMs, from = 0, describe }) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const hit = items.slice(from).find(pred);
          if (hit === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(describe()));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
