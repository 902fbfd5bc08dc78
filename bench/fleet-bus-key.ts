/** The fleet bus benchmark's own key: the publisher and the worker processes seal with it, as a fleet's nodes share theirs. */
export const BENCH_BUS_KEY = 'fleet-bench-bus-key-not-a-secret-000000';
