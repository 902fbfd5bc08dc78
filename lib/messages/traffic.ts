// A phone's traffic from the Message table (so every node answers the same, whichever owns the
// phone): messages in and out in the last minute, send failures by code and submit → server-ack
// latency over the last hour, when it last received a message. One definition for the stats
// route, /api/metrics and the phone page (docs/messages.md, "Traffic").
import type { Db } from '../db/client';
import { FAILURE_CODES, type FailureCode } from './vocabulary';

/** Messages per minute count the last minute. */
export const RATE_WINDOW_MS = 60_000;
/** Failures and ack latency cover the last hour. */
export const TRAFFIC_WINDOW_MS = 3600_000;
/** At most this many acked messages (the latest) make the latency percentiles of one read. */
export const LATENCY_SAMPLE = 20_000;

export interface Traffic {
  /** messages received in the last minute */
  inPerMinute: number;
  /** messages WhatsApp acknowledged (sent) in the last minute */
  outPerMinute: number;
  /** outbound messages that failed in the last hour, by code (only codes that occurred) */
  failuresByCode: Partial<Record<FailureCode, number>>;
  /** submit (stored) → WhatsApp's server ack, over the messages acked in the last hour; null without any */
  ackLatencyMs: { p50: number; p99: number; count: number } | null;
  /** when the phone last received a message (ISO 8601), null if never (or before retention) */
  lastReceivedAt: string | null;
}

/** The nearest-rank percentile (0 < p ≤ 100) of ascending values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50/p99 of latencies (any order), null for none. */
export function latencyFigures(latenciesMs: readonly number[]): Traffic['ackLatencyMs'] {
  if (!latenciesMs.length) return null;
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50)!, p99: percentile(sorted, 99)!, count: sorted.length };
}

/** An empty figure set (a phone with no traffic). */
export function noTraffic(): Traffic {
  return { inPerMinute: 0, outPerMinute: 0, failuresByCode: {}, ackLatencyMs: null, lastReceivedAt: null };
}

/** The traffic of several phones in five queries (whatever their number), as of `now`. */
export async function readTraffic(db: Db, phoneIds: readonly number[], now = Date.now()): Promise<Map<number, Traffic>> {
  const out = new Map<number, Traffic>(phoneIds.map((id) => [id, noTraffic()]));
  if (!phoneIds.length) return out;
  const ids = [...phoneIds];
  const minuteAgo = new Date(now - RATE_WINDOW_MS);
  const hourAgo = new Date(now - TRAFFIC_WINDOW_MS);
  const [received, sent, failed, last, acked] = await Promise.all([
    db.message.groupBy({ by: ['phoneId'], where: { phoneId: { in: ids }, direction: 'in', createdAt: { gte: minuteAgo } }, _count: { _all: true } }),
    db.message.groupBy({ by: ['phoneId'], where: { phoneId: { in: ids }, direction: 'out', ackedAt: { gte: minuteAgo } }, _count: { _all: true } }),
    db.message.groupBy({ by: ['phoneId', 'failureCode'], where: { phoneId: { in: ids }, direction: 'out', status: 'failed', updatedAt: { gte: hourAgo } }, _count: { _all: true } }),
    db.message.groupBy({ by: ['phoneId'], where: { phoneId: { in: ids }, direction: 'in' }, _max: { createdAt: true } }),
    db.message.findMany({
      where: { phoneId: { in: ids }, direction: 'out', ackedAt: { gte: hourAgo } },
      select: { phoneId: true, createdAt: true, ackedAt: true },
      orderBy: { ackedAt: 'desc' },
      take: LATENCY_SAMPLE,
    }),
  ]);
  for (const r of received) out.get(r.phoneId)!.inPerMinute = r._count._all;
  for (const r of sent) out.get(r.phoneId)!.outPerMinute = r._count._all;
  const codes = new Set<string>(FAILURE_CODES);
  for (const r of failed) {
    const code = (r.failureCode && codes.has(r.failureCode) ? r.failureCode : 'send_failed') as FailureCode;
    const t = out.get(r.phoneId)!;
    t.failuresByCode[code] = (t.failuresByCode[code] ?? 0) + r._count._all;
  }
  for (const r of last) out.get(r.phoneId)!.lastReceivedAt = r._max.createdAt?.toISOString() ?? null;
  const latencies = new Map<number, number[]>();
  for (const r of acked) {
    if (!r.ackedAt) continue;
    const list = latencies.get(r.phoneId) ?? [];
    list.push(Math.max(0, r.ackedAt.getTime() - r.createdAt.getTime()));
    latencies.set(r.phoneId, list);
  }
  for (const [phoneId, list] of latencies) out.get(phoneId)!.ackLatencyMs = latencyFigures(list);
  return out;
}
