// The settings every session gives Baileys' makeWASocket besides its auth state, logger, caches
// and proxy. One definition: the density benchmark's bare side gets exactly these too
// (bench/bare-socket.ts, for the density and messages benchmarks), so the comparison differs only where the console does (its key
// store, its timer-free caches).
export interface SocketBaseSettings {
  waWebSocketUrl: string;
  keepAliveIntervalMs: number;
}

export function baseSocketOptions(settings: SocketBaseSettings) {
  return {
    waWebSocketUrl: settings.waWebSocketUrl,
    printQRInTerminal: false,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    keepAliveIntervalMs: settings.keepAliveIntervalMs,
    connectTimeoutMs: 20_000,
    retryRequestDelayMs: 250,
  } as const;
}
