// GET /api/nodes: the fleet's live nodes, as this node reads them from the database.
import { getConfig } from '../config';
import { UnavailableError } from '../errors';
import { currentFleet } from './join';
import type { FleetNodeView } from './nodes';

export async function listFleetNodes(): Promise<{ nodes: FleetNodeView[]; leaseTtlMs: number }> {
  const fleet = currentFleet();
  // Every started console is a node (on SQLite, a fleet of one); before boot joined, there is none to show.
  if (!fleet) throw new UnavailableError('This console has not joined its fleet yet', 'node_unavailable');
  return { nodes: await fleet.nodes(), leaseTtlMs: getConfig().LEASE_TTL_MS };
}
