// The health use cases behind the route handlers.
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { NotFoundError } from '../errors';
import { readHealthSummary, readPhoneHistory, type HealthSummary } from './history-service';
import type { PhoneHistory } from './history';

export async function getPhoneHistory(phoneId: number, range: { from: number; to: number }): Promise<PhoneHistory> {
  const db = getDb();
  const phone = await db.organizationPhone.findUnique({ where: { id: phoneId }, select: { id: true } });
  if (!phone) throw new NotFoundError('Phone not found');
  return readPhoneHistory(db, phoneId, range.from, range.to);
}

export function getHealthSummary(): Promise<HealthSummary> {
  return readHealthSummary(getDb(), getConfig().UPTIME_OBJECTIVE / 100);
}
