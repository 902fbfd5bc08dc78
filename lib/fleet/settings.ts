// The fleet's settings from the console's configuration, and the bus for its database.
import type { Config } from '../config';
import type { Logger } from '../logger';
import { providerOf } from '../db/provider';
import { LoopbackBus, PgBus, type FleetBus } from './bus';
import { BusSeal, randomBusKey } from './bus-seal';
import { newNodeId, type FleetSettings } from './fleet';

export function fleetSettingsFromConfig(config: Config): FleetSettings {
  const settings: FleetSettings = {
    nodeId: config.NODE_ID ?? newNodeId(),
    leaseTtlMs: config.LEASE_TTL_MS,
    renewIntervalMs: config.LEASE_RENEW_MS,
    fenceMarginMs: config.FENCE_MARGIN_MS,
    capacity: config.NODE_CAPACITY,
    startConcurrency: config.START_CONCURRENCY,
    startPerSecond: config.START_RATE_PER_SEC,
    commandTimeoutMs: config.FLEET_COMMAND_TIMEOUT_MS,
    busKeyConfigured: config.FLEET_BUS_KEY !== undefined,
    // PostgreSQL: the liveness lock that lets the others claim a dead node's phones at once.
    livenessLockUrl: providerOf(config.DATABASE_URL) === 'postgresql' ? config.DATABASE_URL : undefined,
    deathCheckMs: config.NODE_DEATH_CHECK_MS,
  };
  // A node must get at least one more renewal in before it has to fence itself.
  if (settings.renewIntervalMs * 2 > settings.leaseTtlMs - settings.fenceMarginMs) {
    throw new Error('LEASE_RENEW_MS must be at most half of LEASE_TTL_MS - FENCE_MARGIN_MS');
  }
  // A node stopped mid-write must lose its locks before its lease ends (issue 22.1).
  if (config.DB_IDLE_IN_TRANSACTION_MS !== undefined && config.DB_IDLE_IN_TRANSACTION_MS >= settings.leaseTtlMs) {
    throw new Error('DB_IDLE_IN_TRANSACTION_MS must be below LEASE_TTL_MS');
  }
  return settings;
}

/**
 * PostgreSQL: LISTEN/NOTIFY on the same database, every message sealed with FLEET_BUS_KEY (a node
 * without one seals with a random key of its own: it hears nobody and nobody hears it, and
 * Fleet.start refuses to join other live nodes). SQLite: a fleet of one, nothing to send.
 */
export function busFor(config: Config, log: Logger): FleetBus {
  if (providerOf(config.DATABASE_URL) !== 'postgresql') return new LoopbackBus();
  const seal = new BusSeal({ current: config.FLEET_BUS_KEY ?? randomBusKey(), previous: config.FLEET_BUS_KEY_PREVIOUS, windowMs: config.FLEET_BUS_WINDOW_MS });
  return new PgBus(config.DATABASE_URL, log.child({ module: 'fleet-bus' }), seal);
}
