// PROXY_POOL: the proxy a new phone gets when it is added without one. Pure: the caller counts
// how many phones use each pool entry and remembers the last one handed out.

/**
 * Round-robin over the least used: among the entries with the fewest phones, the first after
 * `last` in pool order (wrapping), so ties rotate instead of always favouring the first entry.
 * Returns null for an empty pool.
 */
export function pickFromPool(pool: readonly string[], usage: ReadonlyMap<string, number>, last: string | null = null): string | null {
  if (pool.length === 0) return null;
  const counts = pool.map((p) => usage.get(p) ?? 0);
  const min = Math.min(...counts);
  const start = last === null ? 0 : (pool.indexOf(last) + 1) % pool.length;
  for (let i = 0; i < pool.length; i++) {
    const index = (start + i) % pool.length;
    if (counts[index] === min) return pool[index];
  }
  return pool[0];
}

/** Assigns `n` phones one after another (what the pool does for n phones added in a row). */
export function assignMany(pool: readonly string[], usage: ReadonlyMap<string, number>, n: number): string[] {
  const counts = new Map(usage);
  const out: string[] = [];
  let last: string | null = null;
  for (let i = 0; i < n; i++) {
    const pick = pickFromPool(pool, counts, last);
    if (pick === null) break;
    counts.set(pick, (counts.get(pick) ?? 0) + 1);
    out.push(pick);
    last = pick;
  }
  return out;
}
