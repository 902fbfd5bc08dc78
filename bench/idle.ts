// The density benchmark's keep-alive interval (both sides, and the full-stack console) and its idle
// window: one whole interval by default, so every window holds exactly one keep-alive round per
// phone on both sides. A 10 s window caught a round in some samples and not in others, and the
// medians flipped between the two (1.0 against 4.7 ms per session per minute at 500 phones).
export const KEEPALIVE_MS = 30_000;
export const idleWindowMs = () => Number(process.env.BENCH_IDLE_MS ?? KEEPALIVE_MS);
