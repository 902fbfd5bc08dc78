// A real session manager (real Baileys, real database) wired to a simulator, for tests.
import pino from 'pino';
import { SessionManager } from '../../lib/sessions/manager';
import type { EngineSettings } from '../../lib/sessions/session';
import { OutboundPolicy } from '../../lib/http/outbound-guard';

/** Every test target (proxies, webhook receivers) listens on loopback: allowed as internal targets. */
export const TEST_OUTBOUND = new OutboundPolicy('127.0.0.0/8,::1');
import type { SessionEngineEvent } from '../../lib/sessions/types';
import type { Db } from '../../lib/db/client';
import type { EngineName } from '../../lib/sessions/engines/types';
import { awaitableLog } from './awaitable-log';
import { testEngine } from './test-engine';

export function testSettings(wsUrl: string, overrides: Partial<EngineSettings> = {}): EngineSettings {
  return {
    waWebSocketUrl: wsUrl,
    limits: { maxBadMacErrors: 3, maxBadDecryptErrors: 5 },
    reconnectBaseMs: 200,
    reconnectMaxMs: 1000,
    reconnectMaxAttempts: 5,
    keepAliveIntervalMs: 30_000,
    baileysLogLevel: 'silent',
    // The simulator is on loopback: Baileys 7 may trust its Noise root (lib/sessions/engines/simulator-trust.ts).
    trustSimulatorRoot: true,
    // the tests' proxies listen on loopback
    outbound: TEST_OUTBOUND,
    defaultEngine: testEngine(),
    ...overrides,
  };
}

export const testLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Collects engine events and lets a test await the next one that matches. */
export function eventRecorder(manager: SessionManager) {
  const log = awaitableLog<SessionEngineEvent>();
  const unsubscribe = manager.subscribe((e) => log.push(e));
  return {
    events: log.items,
    unsubscribe,
    /** Resolves with the first event after `from` (index) that matches. */
    waitFor: (pred: (e: SessionEngineEvent) => boolean, timeoutMs = 60_000, from = 0): Promise<SessionEngineEvent> =>
      log.waitFor(pred, { timeoutMs, from, describe: () => `timed out waiting for an engine event; last: ${JSON.stringify(log.items.slice(-5))}` }),
    mark: () => log.items.length,
  };
}

export async function addPhone(db: Db, phoneJid: string, organization = 'Test org', engine: EngineName | undefined = testEngine()) {
  // upsert is not atomic: a concurrent create of the same organization fails; then just read it.
  const org = await db.organization
    .upsert({ where: { name: organization }, create: { name: organization }, update: {} })
    .catch(() => db.organization.findUniqueOrThrow({ where: { name: organization } }));
  return db.organizationPhone.create({ data: { organizationId: org.id, phoneJid, ...(engine ? { engine } : {}) } });
}
