// The health use cases behind the route handlers.
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { NotFoundError } from '../errors';
import { readHealthSummary, readIntervals, readPhoneHistory, type HealthSummary } from './history-service';
import { bands, DAY_MS, type Band, type PhoneHistory } from './history';

export async function getPhoneHistory(phoneId: number, range: { from: number; to: number }): Promise<PhoneHistory> {
  const db = getDb();
  const phone = await db.organizationPhone.findUnique({ where: { id: phoneId }, select: { id: true } });
  if (!phone) throw new NotFoundError('Phone not found');
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
