// The part of autocannon's API the API benchmark uses.
declare module 'autocannon' {
  interface Result {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  }
  function autocannon(opts: { url: string; connections: number; duration: number; headers?: Record<string, string> }, cb: (err: Error | null, result: Result) => void): unknown;
  export default autocannon;
}
