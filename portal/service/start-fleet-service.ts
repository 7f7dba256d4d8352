// Wires the store, ingest, publisher, control and rollout runner into one FleetService.
import type { FleetServiceDeps, RunningFleetService } from './fleet-service.ts';

export async function startFleetService(deps: FleetServiceDeps): Promise<RunningFleetService> {
  void deps;
  throw new Error('startFleetService: not implemented yet');
}
