// Periodic health check (the seed's monitorAllSessions): every phone the database calls
// connected (`open`) is checked against the live session; problems are logged and reported.
import type { Db } from '../db/client';
import { phoneRepository } from '../db/phone-repository';
import type { Logger } from '../logger';
import type { SessionManager } from '../sessions/manager';
import { isWarning } from '../sessions/decrypt-errors';
import type { SessionErrorStats } from '../sessions/types';
import { checkObjective, type ObjectiveSettings } from './objective';
import type { HealthEvents } from './events';

export interface PhoneHealth extends SessionErrorStats {
  phoneId: number;
  phoneJid: string;
  isConnected: boolean;
  status: 'healthy' | 'warning';
  problem?: string;
}

export interface HealthReport {
  type: 'session_health_report';
  checked: number;
  warnings: PhoneHealth[];
  timestamp: string;
}

export async function runHealthCheck(db: Db, manager: SessionManager, log: Logger): Promise<{ phones: PhoneHealth[]; report: HealthReport }> {
  const rows = await phoneRepository(db).withStatus(['open']);
  const phones = rows.map((row): PhoneHealth => {
    const stats = manager.getSessionErrorStats(row.id);
    const snap = manager.snapshot(row.id);
    const isConnected = snap?.isConnected ?? false;
    const unresponsive = isConnected && snap?.healthReason === 'unresponsive';
    const warning = isWarning(stats) || !isConnected || unresponsive;
    const problem = !isConnected
      ? 'the database says connected but there is no live socket'
      : unresponsive
        ? 'unresponsive: the liveness probe got no answer'
        : warning
          ? `Bad MAC ${stats.badMacErrors}/${stats.maxBadMacErrors}, Bad Decrypt ${stats.badDecryptErrors}/${stats.maxBadDecryptErrors}`
          : undefined;
    return { phoneId: row.id, phoneJid: row.phoneJid, isConnected, ...stats, status: warning ? 'warning' : 'healthy', ...(problem ? { problem } : {}) };
  });
  const warnings = phones.filter((p) => p.status === 'warning');
  for (const w of warnings) log.warn({ phoneId: w.phoneId, phoneJid: w.phoneJid, problem: w.problem }, `health check: ${w.problem}`);
  log.info({ checked: phones.length, warnings: warnings.length }, 'health check done');
  return { phones, report: { type: 'session_health_report', checked: phones.length, warnings, timestamp: new Date().toISOString() } };
}

export function startMonitor(opts: {
  db: Db;
  manager: SessionManager;
  log: Logger;
  intervalMs: number;
  onReport: (r: HealthReport) => void;
  /** after every check, with all checked phones (metrics) */
  onCheck?: (phones: PhoneHealth[]) => void;
  /** the uptime objective and history retention, checked on the same schedule (lib/health/objective.ts) */
  objective?: { settings: ObjectiveSettings; events: HealthEvents };
}): () => void {
  const timer = setInterval(() => {
    runHealthCheck(opts.db, opts.manager, opts.log)
      .then(({ phones, report }) => {
        opts.onCheck?.(phones);
        if (report.warnings.length) opts.onReport(report);
      })
      .catch((err) => opts.log.error({ err }, 'health check failed'))
      .then(() => opts.objective && checkObjective(opts.db, opts.objective.settings, opts.objective.events, opts.log))
      .catch((err) => opts.log.error({ err }, 'uptime objective check failed'));
  }, opts.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
