// A phone's traffic from the Message table (so every node answers the same, whichever owns the
// phone): messages in and out in the last minute, send failures by code and submit → server-ack
// latency over the last hour, when it last received a message. One definition for the stats
// route, /api/metrics and the phone page (docs/messages.md, "Traffic").
import type { Db } from '../db/client';
import type { DbProvider } from '../db/provider';
import { asDate, asNumber, providerOfDb, rawQuery } from '../db/raw';
import { chunks, DIALECTS, ID_CHUNK, Params, type Statement } from '../db/sql';
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

/** What `trafficStatement` answers: one row per figure (kind), phones by id. */
type TrafficRow = { kind: 'phone' | 'in' | 'out' | 'fail' | 'last' | 'count' | 'p50' | 'p99'; phoneId: unknown; code: string | null; n: unknown; at: unknown };

/** The acked message's submit → server-ack time in whole milliseconds (never negative), per dialect. */
const ACK_MS: Record<DbProvider, string> = {
  sqlite: `MAX(0, CAST(ROUND((julianday("ackedAt") - julianday("createdAt")) * 86400000) AS INTEGER))`,
  postgresql: `CAST(GREATEST(0, ROUND(EXTRACT(EPOCH FROM ("ackedAt" - "createdAt")) * 1000)) AS BIGINT)`,
};

/**
 * Every traffic figure of some phones (at most ID_CHUNK) in one statement (issue 28.3: the stats
 * route ran five queries), as of `now`; which of them exist too (a `phone` row each). The latency
 * percentiles are nearest-rank in SQL, the same as `percentile`: the value ranked ⌈p·n/100⌉ =
 * (p·n + 99) / 100 in integer division, over the latest LATENCY_SAMPLE acked messages of the read.
 */
export function trafficStatement(provider: DbProvider, phoneIds: readonly number[], now = Date.now()): Statement {
  if (!phoneIds.length || phoneIds.length > ID_CHUNK) throw new RangeError(`trafficStatement takes 1 to ${ID_CHUNK} phones, not ${phoneIds.length}`);
  const p = new Params(DIALECTS[provider]);
  const ids = phoneIds.map((id) => `(CAST(${p.add(id)} AS INTEGER))`).join(', ');
  // A placeholder per use, in the order of the text (SQLite's `?` are positional).
  const minuteAgo = () => p.add(new Date(now - RATE_WINDOW_MS));
  const hourAgo = () => p.add(new Date(now - TRAFFIC_WINDOW_MS));
  const mine = `"phoneId" IN (SELECT "id" FROM ids)`;
  return {
    sql: `WITH ids ("id") AS (VALUES ${ids}),
      acked AS (SELECT "phoneId", ${ACK_MS[provider]} AS ms FROM "Message"
        WHERE ${mine} AND "direction" = 'out' AND "ackedAt" >= ${hourAgo()} ORDER BY "ackedAt" DESC LIMIT ${LATENCY_SAMPLE}),
      ranked AS (SELECT "phoneId", ms, ROW_NUMBER() OVER (PARTITION BY "phoneId" ORDER BY ms) AS rn, COUNT(*) OVER (PARTITION BY "phoneId") AS total FROM acked)
      SELECT 'phone' AS kind, "id" AS "phoneId", CAST(NULL AS TEXT) AS code, 0 AS n, CAST(NULL AS TIMESTAMP) AS at FROM "OrganizationPhone" WHERE "id" IN (SELECT "id" FROM ids)
      UNION ALL SELECT 'in', "phoneId", NULL, COUNT(*), NULL FROM "Message" WHERE ${mine} AND "direction" = 'in' AND "createdAt" >= ${minuteAgo()} GROUP BY "phoneId"
      UNION ALL SELECT 'out', "phoneId", NULL, COUNT(*), NULL FROM "Message" WHERE ${mine} AND "direction" = 'out' AND "ackedAt" >= ${minuteAgo()} GROUP BY "phoneId"
      UNION ALL SELECT 'fail', "phoneId", "failureCode", COUNT(*), NULL FROM "Message"
        WHERE ${mine} AND "direction" = 'out' AND "status" = 'failed' AND "updatedAt" >= ${hourAgo()} GROUP BY "phoneId", "failureCode"
      UNION ALL SELECT 'last', "phoneId", NULL, 0, MAX("createdAt") FROM "Message" WHERE ${mine} AND "direction" = 'in' GROUP BY "phoneId"
      UNION ALL SELECT 'count', "phoneId", NULL, total, NULL FROM ranked WHERE rn = 1
      UNION ALL SELECT 'p50', "phoneId", NULL, ms, NULL FROM ranked WHERE rn = (50 * total + 99) / 100
      UNION ALL SELECT 'p99', "phoneId", NULL, ms, NULL FROM ranked WHERE rn = (99 * total + 99) / 100`,
    params: p.values,
  };
}

/** The phones among `phoneIds` that exist, and the traffic of each asked (no traffic for the others), in one statement per ID_CHUNK phones. */
export async function queryTraffic(db: Db, phoneIds: readonly number[], now = Date.now()): Promise<{ known: Set<number>; traffic: Map<number, Traffic> }> {
  const traffic = new Map<number, Traffic>(phoneIds.map((id) => [id, noTraffic()]));
  const known = new Set<number>();
  const provider = providerOfDb(db);
  const codes = new Set<string>(FAILURE_CODES);
  for (const ids of chunks(phoneIds)) {
    const latency = new Map<number, { p50?: number; p99?: number; count?: number }>();
    for (const r of await rawQuery<TrafficRow>(db, trafficStatement(provider, ids, now))) {
      const id = asNumber(r.phoneId);
      const t = traffic.get(id);
      if (!t) continue;
      const n = asNumber(r.n);
      switch (r.kind) {
        case 'phone':
          known.add(id);
          break;
        case 'in':
          t.inPerMinute = n;
          break;
        case 'out':
          t.outPerMinute = n;
          break;
        case 'fail': {
          const code = (r.code && codes.has(r.code) ? r.code : 'send_failed') as FailureCode;
          t.failuresByCode[code] = (t.failuresByCode[code] ?? 0) + n;
          break;
        }
        case 'last':
          t.lastReceivedAt = asDate(r.at)?.toISOString() ?? null;
          break;
        case 'count':
        case 'p50':
        case 'p99': {
          const l = latency.get(id) ?? {};
          l[r.kind] = n;
          latency.set(id, l);
          break;
        }
      }
    }
    for (const [id, l] of latency) {
      if (l.count && l.p50 !== undefined && l.p99 !== undefined) traffic.get(id)!.ackLatencyMs = { p50: l.p50, p99: l.p99, count: l.count };
    }
  }
  return { known, traffic };
}

/** The traffic of several phones (none for an unknown id), as of `now`: one statement per ID_CHUNK phones. */
export async function readTraffic(db: Db, phoneIds: readonly number[], now = Date.now()): Promise<Map<number, Traffic>> {
  return (await queryTraffic(db, phoneIds, now)).traffic;
}
