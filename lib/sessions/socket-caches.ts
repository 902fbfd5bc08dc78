// Baileys creates several NodeCache instances (each with its own interval timer) for every socket
// unless it is given caches. A session reconnects many times in its life, so it owns one set of
// small, timer-free caches and hands them to every socket it creates.
type Key = string;

/** A bounded Map with the get/set/del/flushAll surface Baileys' CacheStore expects. */
export class BoundedCache {
  private map = new Map<Key, unknown>();
  constructor(private readonly max = 1000) {}
  get<T>(key: Key): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  set<T>(key: Key, value: T): void {
    if (this.map.has(key)) this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as Key);
  }
  del(key: Key): void {
    this.map.delete(key);
  }
  flushAll(): void {
    this.map.clear();
  }
}

export function sessionCaches() {
  return {
    msgRetryCounterCache: new BoundedCache(),
    callOfferCache: new BoundedCache(100),
    placeholderResendCache: new BoundedCache(),
    userDevicesCache: new BoundedCache(),
  };
}
