import { type Scenario, totalSensors } from "../config/scenario.ts";
import { UsageError } from "../config/usage_error.ts";

/** Counts how many more files this process can open, stopping at `upTo`; null if unknown. */
export type OpenableFilesCounter = (upTo: number) => number | null;

/** Descriptors kept aside for the probe, the embedded broker, files and the runtime. */
const DESCRIPTOR_MARGIN = 64;

/** Linux's default ephemeral port range (32768-60999) holds this many ports. */
const DEFAULT_EPHEMERAL_PORTS = 28_232;

/**
 * Counts by opening `/dev/null` until the process runs out of descriptors or `upTo` are
 * open, then closes them all. This needs no more than read access: the limit itself
 * sits in `/proc` or behind `ulimit`, which Deno grants only with every permission.
 * Returns null where `/dev/null` cannot be opened.
 */
export function countOpenableFiles(upTo: number): number | null {
  const files: Deno.FsFile[] = [];
  try {
    while (files.length < upTo) files.push(Deno.openSync("/dev/null"));
    return files.length;
  } catch (error) {
    // EMFILE (24) or ENFILE (23): the count so far is what this process can open.
    const message = error instanceof Error ? error.message : "";
    return /os error 2[34]\b/.test(message) ? files.length : null;
  } finally {
    for (const file of files) file.close();
  }
}

/**
 * Checks that the run fits the host before anything connects: `descriptorsPerConnection`
 * for every connection (1 to a broker elsewhere; 2 over TCP to the embedded broker, which
 * holds the other ends in this process; 0 over its in-memory streams) plus a margin.
 * Throws {@linkcode UsageError} with a hint when it does not; returns warnings for limits
 * that cannot be read without more permissions (ephemeral ports per source address).
 */
export function checkHostLimits(
  scenario: Scenario,
  countOpenable: OpenableFilesCounter,
  descriptorsPerConnection: 0 | 1 | 2,
): string[] {
  const sensors = totalSensors(scenario);
  const connections = sensors + (scenario.probe ? scenario.probeConnections : 0);
  const needed = connections * descriptorsPerConnection + DESCRIPTOR_MARGIN;
  const openable = countOpenable(needed);
  if (openable !== null && openable < needed) {
    throw new UsageError(
      `${sensors.toLocaleString("en-US")} sensors need about ${
        needed.toLocaleString("en-US")
      } open files; this process can open ${openable.toLocaleString("en-US")} more`,
      "raise the open-file limit (ulimit -n; /etc/security/limits.conf, or LimitNOFILE= for a service) or run several processes with fewer --sensors each",
    );
  }
  const sources = Math.max(1, scenario.bindAddresses.length);
  const perSource = Math.ceil(sensors / sources);
  if (perSource <= DEFAULT_EPHEMERAL_PORTS) return [];
  return [
    `${
      perSource.toLocaleString("en-US")
    } connections per source address may exceed the ephemeral ports of one (source, broker) pair (${
      DEFAULT_EPHEMERAL_PORTS.toLocaleString("en-US")
    } by Linux's default); spread them with --bind (e.g. --bind 127.0.0.2-127.0.0.${
      1 + Math.ceil(sensors / DEFAULT_EPHEMERAL_PORTS)
    } on loopback)`,
  ];
}
