// Makes a session manager one node of a fleet. The fleet is created here, outside lib/sessions, so
// the dependency runs one way: the fleet knows the manager (its host), the manager knows only the
// port it is handed (lib/sessions/fleet-port.ts).
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { SessionManager } from '../sessions/manager';
import { storeFor } from '../sessions/store';
import type { FleetBus } from './bus';
import { Fleet, type FleetSettings } from './fleet';

const holder = globalThis as unknown as { __fleet?: Fleet };

/** This process's fleet membership, once boot joined (null before, and in tests that never join). */
export function currentFleet(): Fleet | null {
  return holder.__fleet ?? null;
}

export function joinFleet(manager: SessionManager, db: Db, settings: FleetSettings, bus: FleetBus, log: Logger): Fleet {
  // From the process logger: a child of the manager's logger would carry `module` twice.
  const fleet = new Fleet(db, storeFor(db), bus, manager, settings, log.child({ module: 'fleet' }));
  manager.attachFleet(fleet);
  holder.__fleet = fleet;
  return fleet;
}
