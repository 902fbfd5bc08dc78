// The health use cases behind the route handlers.
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { phoneRepository } from '../db/phone-repository';
import { InvalidInputError, NotFoundError } from '../errors';
import { readHealthSummary, readIntervals, readPhoneHistory, type HealthSummary } from './history-service';
import { bands, DAY_MS, type Band, type PhoneHistory } from './history';

const MAX_RANGE_MS = 90 * DAY_MS;

/** ?from=&to= as times: default the last 7 days; from before to, at most 90 days apart (400 otherwise). */
export function historyRange(q: { from?: string; to?: string }, now = Date.now()): { from: number; to: number } {
  const to = q.to === undefined ? now : Date.parse(q.to);
  const from = q.from === undefined ? to - 7 * DAY_MS : Date.parse(q.from);
  if (Number.isNaN(to) || Number.isNaN(from)) throw new InvalidInputError('Invalid query: from and to must be ISO 8601 dates');
  if (from >= to) throw new InvalidInputError('Invalid query: from must be before to');
  if (to - from > MAX_RANGE_MS) throw new InvalidInputError('Invalid query: from and to may be at most 90 days apart');
  return { from, to };
}

export async function getPhoneHistory(phoneId: number, query: { from?: string; to?: string }): Promise<PhoneHistory> {
  const range = historyRange(query);
  const db = getDb();
  if (!(await phoneRepository(db).exists(phoneId))) throw new NotFoundError('Phone not found');
  return readPhoneHistory(db, phoneId, range.from, range.to);
}

export function getHealthSummary(): Promise<HealthSummary> {
  return readHealthSummary(getDb(), getConfig().UPTIME_OBJECTIVE / 100);
}

/** The 7-day state bands of a page of phones (the sessions table's small band per row). */
export async function getBands(ids: number[], now = Date.now()): Promise<{ from: string; to: string; phones: Record<string, Band[]> }> {
  const from = now - 7 * DAY_MS;
  const rows = await readIntervals(getDb(), from, now, ids);
  const phones: Record<string, Band[]> = {};
  for (const id of ids) {
    const list = rows.filter((r) => r.phoneId === id);
    if (list.length) phones[String(id)] = bands(list, from, now, now);
  }
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString(), phones };
}
