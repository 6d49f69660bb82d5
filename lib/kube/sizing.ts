/**
 * What one shard needs, from figures measured on a 2-core host against a local
 * Mosquitto (README, "Sizing"; docs/scale.md): the process's own base, memory per
 * sensor, CPU per connected sensor and per message, for the client the fleets run on.
 * 5,000 lean sensors for 30 s took 3.7 s of CPU at one message per 5 s each and 9.2 s
 * at one per 500 ms: about 20 us per message on top of about 10 us per sensor-second.
 *
 * @module
 */

/** Resident memory of the process with one sensor, in MiB. */
const BASE_MEMORY_MIB = 120;
/** Memory per publishing sensor, in KiB: lean client, MQTT.js. */
const SENSOR_MEMORY_KIB = { lean: 18, mqttjs: 27 } as const;
/** CPU per message per second, in cores: lean client, MQTT.js (a third more, as measured). */
const CORES_PER_MESSAGE_PER_SEC = { lean: 20e-6, mqttjs: 27e-6 } as const;
/** CPU per connected sensor (timers, keepalive), in cores. */
const CORES_PER_SENSOR = 10e-6;
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
  const cores = BASE_CORES + sensors * CORES_PER_SENSOR +
    messagesPerSec * CORES_PER_MESSAGE_PER_SEC[client];
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
