// The uptime objective, checked on every health monitor run: each phone's uptime over 7 days is
// stored on its row (the sessions table sorts and flags by it), phones crossing UPTIME_OBJECTIVE
// are told as health events (once per crossing), and history older than the retention goes.
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { DAY_MS } from './history';
import { uptimes7d } from './history-service';
import type { HealthEvents } from './events';

export interface ObjectiveSettings {
  /** UPTIME_OBJECTIVE as a fraction (99.5 % → 0.995) */
  objective: number;
  retentionDays: number;
}

export interface ObjectiveResult {
  /** phone id → uptime over 7 days (null: never meant to run in them) */
  uptimes: Map<number, number | null>;
  below: Set<number>;
  deletedIntervals: number;
}

const holder = globalThis as unknown as { __uptimeCheck?: { below: Set<number>; last: ObjectiveResult | null } };

/** The latest check's result in this process (metrics read it), null before the first. */
export function lastObjectiveCheck(): ObjectiveResult | null {
  return holder.__uptimeCheck?.last ?? null;
}

/** For tests: forget which phones were below (a new process). */
export function resetObjectiveState() {
  holder.__uptimeCheck = undefined;
}

/** Uptimes, stored uptime7d, crossing events, retention. */
export async function checkObjective(db: Db, settings: ObjectiveSettings, events: HealthEvents, log: Logger, now = Date.now()): Promise<ObjectiveResult> {
  const state = (holder.__uptimeCheck ??= { below: new Set(), last: null });
  const { count: deletedIntervals } = await db.phoneStateInterval.deleteMany({ where: { endedAt: { lt: new Date(now - settings.retentionDays * DAY_MS) } } });
  const uptimes = await uptimes7d(db, now);
  const phones = await db.organizationPhone.findMany({ select: { id: true, organizationId: true, phoneJid: true, uptime7d: true } });
  const below = new Set<number>();
  const at = new Date(now).toISOString();
  for (const p of phones) {
    const u = uptimes.get(p.id) ?? null;
    // Stored only when it moved (rounded to 1e-6): a steady fleet writes nothing.
    const rounded = u === null ? null : Math.round(u * 1e6) / 1e6;
    if (rounded !== p.uptime7d) await db.organizationPhone.update({ where: { id: p.id }, data: { uptime7d: rounded } });
    const isBelow = u !== null && u < settings.objective;
    if (isBelow) below.add(p.id);
    const was = state.below.has(p.id);
    if (isBelow === was || u === null) continue;
    const ref = { phoneId: p.id, organizationId: p.organizationId, phoneJid: p.phoneJid, at, uptime: u, objective: settings.objective, windowDays: 7 };
    events.emit({ type: isBelow ? 'below-objective' : 'objective-met', ...ref });
    log.info({ phoneId: p.id, uptime: u, objective: settings.objective }, isBelow ? 'phone below its uptime objective' : 'phone meets its uptime objective again');
  }
  state.below = below;
  state.last = { uptimes, below, deletedIntervals };
  return state.last;
}
