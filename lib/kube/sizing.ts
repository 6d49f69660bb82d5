/**
 * What one shard needs, from the figures `deno task bench` measures (README, "Sizing"):
 * the process's own base, memory per sensor, and CPU per message per second, for the
 * client the fleets run on.
 *
 * @module
 */

/** Resident memory of the process with one sensor, in MiB. */
const BASE_MEMORY_MIB = 120;
/** Memory per publishing sensor, in KiB: lean client, MQTT.js. */
const SENSOR_MEMORY_KIB = { lean: 18, mqttjs: 27 } as const;
/** CPU per message per second, in cores (3.4% / 4.5% of one core per 200 msg/s). */
const CORES_PER_MESSAGE_PER_SEC = { lean: 0.034 / 200, mqttjs: 0.045 / 200 } as const;
/** CPU of the probe, the timers and the live view at rest, in cores. */
const BASE_CORES = 0.1;

/** What a shard asks of its node and may use at most. */
export interface ShardResources {
  /** Requests: what the scheduler reserves. */
  readonly requests: { readonly cpu: string; readonly memory: string };
  /** Limits: memory half again the estimate, CPU twice it (never throttled at the estimate). */
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Resources for a shard of `sensors` sending `messagesPerSec`, on `client`. */
export function shardResources(
  sensors: number,
  messagesPerSec: number,
  client: "lean" | "mqttjs",
): ShardResources {
  const memoryMib = BASE_MEMORY_MIB + (sensors * SENSOR_MEMORY_KIB[client]) / 1024;
  const cores = BASE_CORES + messagesPerSec * CORES_PER_MESSAGE_PER_SEC[client];
  return {
    requests: { cpu: millicores(cores), memory: mebibytes(memoryMib) },
    limits: { cpu: millicores(cores * 2), memory: mebibytes(memoryMib * 1.5) },
  };
}

function millicores(cores: number): string {
  return `${Math.ceil((cores * 1000) / 50) * 50}m`;
}

function mebibytes(mib: number): string {
  return `${Math.ceil(mib / 16) * 16}Mi`;
}
