// A phone's history from its stored intervals, as pure functions: time in each state, uptime,
// drops per day, time to reconnect, the last closes, decryption failures per day by cause.
//
// Uptime = time open / time the phone was meant to run (open + connecting + closed); time
// `stopped` (by a person or with the process) counts for neither. A drop is the end of an open
// stretch that was not asked for: an interval that begins in `connecting` or `closed` right after
// `open`. The time to reconnect of a drop is from its start to the next `open`.
import { HISTORY_STATES, type HistoryState } from './history-states';
import { isCloseReasonCode, type CloseReason } from '../sessions/reasons';

export interface StoredInterval {
  state: string;
  prev: string | null;
  /** the CloseReason that began it, as JSON text */
  reason: string | null;
  code: number | null;
  startedAt: Date;
  /** null: still going on */
  endedAt: Date | null;
}

export interface Band {
  state: HistoryState;
  from: string;
  to: string;
}

export interface Drop {
  at: string;
  /** connecting (it reconnects) or closed (it stays down) */
  state: HistoryState;
  /** why it dropped (lib/sessions/reasons.ts); null when not known */
  reason: CloseReason | null;
  /** WhatsApp's close status code, when it gave one */
  code: number | null;
  /** ms until it was open again; null when it was not (yet) */
  reconnectMs: number | null;
}

export const DAY_MS = 24 * 3600_000;
export const HOUR_MS = 3600_000;

const asState = (s: string): HistoryState => ((HISTORY_STATES as readonly string[]).includes(s) ? (s as HistoryState) : 'stopped');
/** A stored reason (JSON of a CloseReason) back to a value; null when absent or not one of ours. */
export function parseReason(text: string | null): CloseReason | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as { code?: unknown; params?: unknown };
    return isCloseReasonCode(v.code) && typeof v.params === 'object' && v.params !== null ? (v as CloseReason) : null;
  } catch {
    return null;
  }
}

const isDrop = (i: StoredInterval) => i.prev === 'open' && (i.state === 'connecting' || i.state === 'closed');

/** The intervals clipped to [from, to] (an open-ended one ends at `now`), oldest first. */
export function bands(intervals: StoredInterval[], from: number, to: number, now: number): Band[] {
  const out: Band[] = [];
  for (const i of [...intervals].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())) {
    const start = Math.max(from, i.startedAt.getTime());
    const end = Math.min(to, i.endedAt ? i.endedAt.getTime() : now);
    if (end <= start) continue;
    out.push({ state: asState(i.state), from: new Date(start).toISOString(), to: new Date(end).toISOString() });
  }
  return out;
}

export function timeInState(intervals: StoredInterval[], from: number, to: number, now: number): Record<HistoryState, number> {
  const t = Object.fromEntries(HISTORY_STATES.map((s) => [s, 0])) as Record<HistoryState, number>;
  for (const b of bands(intervals, from, to, now)) t[b.state] += Date.parse(b.to) - Date.parse(b.from);
  return t;
}

/** Open time over the time meant to run, 0..1; null when the phone was never meant to run in the window. */
export function uptime(intervals: StoredInterval[], from: number, to: number, now: number): number | null {
  const t = timeInState(intervals, from, to, now);
  const meant = t.open + t.connecting + t.closed;
  return meant > 0 ? t.open / meant : null;
}

/** Every drop that began in [from, to], oldest first, with its time to reconnect. */
export function drops(intervals: StoredInterval[], from: number, to: number): Drop[] {
  const sorted = [...intervals].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const out: Drop[] = [];
  sorted.forEach((i, k) => {
    const at = i.startedAt.getTime();
    if (!isDrop(i) || at < from || at > to) return;
    const reopened = sorted.slice(k + 1).find((n) => n.state === 'open' || n.state === 'stopped');
    out.push({
      at: i.startedAt.toISOString(),
      state: asState(i.state),
      reason: parseReason(i.reason),
      code: i.code,
      reconnectMs: reopened?.state === 'open' ? reopened.startedAt.getTime() - at : null,
    });
  });
  return out;
}

/** UTC day (YYYY-MM-DD) of a time. */
export const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Each UTC day from `from` to `to`, with its count of `times` (every day present, zeros too). */
export function perDay(times: number[], from: number, to: number): { day: string; count: number }[] {
  const days: { day: string; count: number }[] = [];
  for (let d = Math.floor(from / DAY_MS) * DAY_MS; d <= to; d += DAY_MS) days.push({ day: dayOf(d), count: 0 });
  const index = new Map(days.map((d, i) => [d.day, i]));
  for (const t of times) {
    const i = index.get(dayOf(t));
    if (i !== undefined) days[i].count++;
  }
  return days;
}

/** Each hour starting at `from` (hour-aligned) up to `to`, with its count of `times`. */
export function perHour(times: number[], from: number, to: number): { hour: string; count: number }[] {
  const start = Math.floor(from / HOUR_MS) * HOUR_MS;
  const hours: { hour: string; count: number }[] = [];
  for (let h = start; h <= to; h += HOUR_MS) hours.push({ hour: new Date(h).toISOString(), count: 0 });
  for (const t of times) {
    const i = Math.floor((t - start) / HOUR_MS);
    if (i >= 0 && i < hours.length) hours[i].count++;
  }
  return hours;
}

/** Nearest-rank percentile (p in 0..100) of the values; null for none. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Decryption failures per UTC day by cause (the kind after `decrypt:` in the stored event type). */
export function decryptFailuresPerDay(events: { type: string; at: Date }[], from: number, to: number): { day: string; byKind: Record<string, number> }[] {
  const days = perDay([], from, to).map((d) => ({ day: d.day, byKind: {} as Record<string, number> }));
  const index = new Map(days.map((d, i) => [d.day, i]));
  for (const e of events) {
    if (!e.type.startsWith('decrypt:')) continue;
    const i = index.get(dayOf(e.at.getTime()));
    if (i === undefined) continue;
    const kind = e.type.slice('decrypt:'.length);
    days[i].byKind[kind] = (days[i].byKind[kind] ?? 0) + 1;
  }
  return days;
}

export interface PhoneHistory {
  phoneId: number;
  from: string;
  to: string;
  bands: Band[];
  /** ms in each state within [from, to] */
  timeInState: Record<HistoryState, number>;
  /** uptime over the last 24 h, 7 d and 30 d before now (0..1, null when never meant to run) */
  uptime: { '24h': number | null; '7d': number | null; '30d': number | null };
  drops: number;
  dropsPerDay: { day: string; count: number }[];
  reconnect: { count: number; p50Ms: number | null; p95Ms: number | null };
  /** the last 10 drops in [from, to], newest first */
  lastCloses: Drop[];
  decryptFailuresPerDay: { day: string; byKind: Record<string, number> }[];
}

/** Everything the history API and the phone page show, from the intervals and decryption events. */
export function phoneHistory(phoneId: number, intervals: StoredInterval[], decryptEvents: { type: string; at: Date }[], from: number, to: number, now: number): PhoneHistory {
  const ds = drops(intervals, from, to);
  const reconnects = ds.map((d) => d.reconnectMs).filter((v): v is number => v !== null);
  return {
    phoneId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bands: bands(intervals, from, to, now),
    timeInState: timeInState(intervals, from, to, now),
    uptime: {
      '24h': uptime(intervals, now - DAY_MS, now, now),
      '7d': uptime(intervals, now - 7 * DAY_MS, now, now),
      '30d': uptime(intervals, now - 30 * DAY_MS, now, now),
    },
    drops: ds.length,
    dropsPerDay: perDay(ds.map((d) => Date.parse(d.at)), from, to),
    reconnect: { count: reconnects.length, p50Ms: percentile(reconnects, 50), p95Ms: percentile(reconnects, 95) },
    lastCloses: ds.slice(-10).reverse(),
    decryptFailuresPerDay: decryptFailuresPerDay(decryptEvents, from, to),
  };
}
