import type { Scenario } from "../config/scenario.ts";
import { shardSensorCount, shardTargetRatePerSec } from "../config/shard.ts";

/** Scheduled messages per second one worker sends comfortably (measured: ~70k per core-second at full load). */
export const MESSAGES_PER_WORKER_SEC = 40_000;
/** Connections one worker holds comfortably. */
export const CONNECTIONS_PER_WORKER = 25_000;

/**
 * How many fleet workers a run uses: the number asked for (at most one per sensor), or
 * for `auto` (0) as many as the load needs and no more than `cores` (a flood takes
 * every core).
 */
export function resolveWorkerCount(scenario: Scenario, cores: number): number {
  const sensors = shardSensorCount(scenario);
  if (scenario.workers > 0) return Math.min(scenario.workers, sensors);
  const available = Math.max(1, Math.min(cores, sensors));
  if (scenario.flood) return available;
  const needed = Math.max(
    Math.ceil(shardTargetRatePerSec(scenario) / MESSAGES_PER_WORKER_SEC),
    Math.ceil(sensors / CONNECTIONS_PER_WORKER),
  );
  return Math.min(Math.max(1, needed), available);
}
