// Reading phones' histories from the database: one phone's (GET /api/sessions/:id/history), the
// fleet's summary (GET /api/health/summary), and the uptime of every phone for the health monitor.
import type { Db } from '../db/client';
import { DAY_MS, HOUR_MS, drops, phoneHistory, uptime, perHour, type PhoneHistory, type StoredInterval } from './history';

const INTERVAL_COLUMNS = { phoneId: true, state: true, prev: true, reason: true, code: true, startedAt: true, endedAt: true } as const;

/** The intervals of `phoneIds` (all phones when omitted) that overlap [from, to]. */
export async function readIntervals(db: Db, from: number, to: number, phoneIds?: number[]): Promise<(StoredInterval & { phoneId: number })[]> {
  return db.phoneStateInterval.findMany({
    where: {
      ...(phoneIds ? { phoneId: { in: phoneIds } } : {}),
      startedAt: { lte: new Date(to) },
      OR: [{ endedAt: null }, { endedAt: { gte: new Date(from) } }],
    },
    select: INTERVAL_COLUMNS,
    orderBy: [{ phoneId: 'asc' }, { startedAt: 'asc' }, { id: 'asc' }],
  });
}

function byPhone<T extends { phoneId: number }>(rows: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const list = out.get(r.phoneId);
    if (list) list.push(r);
    else out.set(r.phoneId, [r]);
  }
  return out;
}

/** One phone's history in [from, to] (uptime windows always end now). */
export async function readPhoneHistory(db: Db, phoneId: number, from: number, to: number, now = Date.now()): Promise<PhoneHistory> {
  const since = Math.min(from, now - 30 * DAY_MS);
  const [intervals, events] = await Promise.all([
    readIntervals(db, since, Math.max(to, now), [phoneId]),
    db.sessionEvent.findMany({
      where: { phoneId, type: { startsWith: 'decrypt:' }, createdAt: { gte: new Date(from), lte: new Date(to) } },
      select: { type: true, createdAt: true },
    }),
  ]);
  return phoneHistory(phoneId, intervals, events.map((e) => ({ type: e.type, at: e.createdAt })), from, to, now);
}

/** Uptime over the last 7 days per phone (null: never meant to run in it); phones without intervals are absent. */
export async function uptimes7d(db: Db, now = Date.now()): Promise<Map<number, number | null>> {
  const from = now - 7 * DAY_MS;
  const out = new Map<number, number | null>();
  for (const [phoneId, list] of byPhone(await readIntervals(db, from, now))) out.set(phoneId, uptime(list, from, now, now));
  return out;
}

export interface PhoneUptime {
  phoneId: number;
  phoneJid: string;
  label: string | null;
  organizationId: number;
  organizationName: string;
  /** 0..1 over the last 7 days */
  uptime: number;
  drops: number;
}

export interface HealthSummary {
  /** UPTIME_OBJECTIVE as a fraction */
  objective: number;
  windowDays: 7;
  /** phones with a history in the window (meant to run at some point) */
  measured: number;
  belowObjective: PhoneUptime[];
  /** the ten lowest uptimes */
  worst: PhoneUptime[];
  /** drops across the fleet per hour over the last 24 hours, oldest first */
  dropsPerHour: { hour: string; count: number }[];
  generatedAt: string;
}

/** The fleet at a glance: phones below the objective, the worst ten, drops per hour (24 h). */
export async function readHealthSummary(db: Db, objective: number, now = Date.now()): Promise<HealthSummary> {
  const from = now - 7 * DAY_MS;
  const [rows, phones] = await Promise.all([
    readIntervals(db, from, now),
    db.organizationPhone.findMany({ select: { id: true, phoneJid: true, label: true, organizationId: true, organization: { select: { name: true } } } }),
  ]);
  const info = new Map(phones.map((p) => [p.id, p]));
  const measured: PhoneUptime[] = [];
  const dropTimes: number[] = [];
  for (const [phoneId, list] of byPhone(rows)) {
    const p = info.get(phoneId);
    if (!p) continue;
    const ds = drops(list, from, now);
    for (const d of ds) if (Date.parse(d.at) >= now - DAY_MS) dropTimes.push(Date.parse(d.at));
    const u = uptime(list, from, now, now);
    if (u === null) continue;
    measured.push({ phoneId, phoneJid: p.phoneJid, label: p.label, organizationId: p.organizationId, organizationName: p.organization.name, uptime: u, drops: ds.length });
  }
  measured.sort((a, b) => a.uptime - b.uptime || a.phoneId - b.phoneId);
  return {
    objective,
    windowDays: 7,
    measured: measured.length,
    belowObjective: measured.filter((m) => m.uptime < objective),
    worst: measured.slice(0, 10),
    dropsPerHour: perHour(dropTimes, now - DAY_MS + HOUR_MS, now),
    generatedAt: new Date(now).toISOString(),
  };
}
