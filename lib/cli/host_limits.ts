import type { Scenario } from "../config/scenario.ts";
import { shardSensorCount } from "../config/shard.ts";
import { UsageError } from "../config/usage_error.ts";

/** Counts how many more files this process can open, stopping at `upTo`; null if unknown. */
export type OpenableFilesCounter = (upTo: number) => number | null;

/** Descriptors kept aside for the probe, the embedded broker, files and the runtime. */
const DESCRIPTOR_MARGIN = 64;

/** Linux's default ephemeral port range (32768-60999) holds this many ports. */
const DEFAULT_EPHEMERAL_PORTS = 28_232;
/**
 * connect() tries one half of the range first (Linux 4.2 on): past it, every connect
 * scans that half before it finds a port in the other.
 */
const SEARCHED_PORTS_FROM = DEFAULT_EPHEMERAL_PORTS / 2;

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
 * How the run's connections hold descriptors: `remote` one each (a broker elsewhere),
 * `embeddedTcp` two each (the embedded broker holds the other ends in this process),
 * `embeddedMemory` none (in-memory streams to the embedded broker on this thread).
 */
export type ConnectionKind = "remote" | "embeddedTcp" | "embeddedMemory";

const DESCRIPTORS_PER_CONNECTION: Readonly<Record<ConnectionKind, number>> = {
  remote: 1,
  embeddedTcp: 2,
  embeddedMemory: 0,
};

/**
 * Checks that the run fits the host before anything connects: the descriptors its
 * connections hold (see {@linkcode ConnectionKind}) plus a margin. The embedded broker
 * over in-memory streams needs none, but takes no more sensors than a broker elsewhere
 * could (one descriptor each): it is there to try the tool, not to hold a fleet that
 * would not fit this host. Throws {@linkcode UsageError} with a hint when the run does
 * not fit; returns warnings for limits that cannot be read without more permissions
 * (ephemeral ports per source address).
 */
export function checkHostLimits(
  scenario: Scenario,
  countOpenable: OpenableFilesCounter,
  kind: ConnectionKind,
): string[] {
  const sensors = shardSensorCount(scenario);
  const connections = sensors + (scenario.probe ? scenario.probeConnections : 0);
  const needed = connections * Math.max(1, DESCRIPTORS_PER_CONNECTION[kind]) + DESCRIPTOR_MARGIN;
  const openable = countOpenable(needed);
  if (openable !== null && openable < needed && kind === "embeddedMemory") {
    throw new UsageError(
      `${
        sensors.toLocaleString("en-US")
      } sensors are more than the embedded broker takes on this host (at most about ${
        Math.max(0, openable - DESCRIPTOR_MARGIN).toLocaleString("en-US")
      }, as many as this process could connect to a broker elsewhere)`,
      "run against a real broker with --url, or several processes with fewer --sensors each",
    );
  }
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
  if (perSource <= SEARCHED_PORTS_FROM) return [];
  const spread = `--bind 127.0.0.2-127.0.0.${
    1 + Math.ceil(sensors / SEARCHED_PORTS_FROM)
  } on loopback`;
  if (perSource <= DEFAULT_EPHEMERAL_PORTS) {
    // Measured: 18,000 connections from one address, the kernel's time went from 0.1 to
    // 0.8 of a core once about 14,000 were open, and lateness p99 from 5 to 74 ms.
    return [
      `${perSource.toLocaleString("en-US")} connections per source address: past about ${
        SEARCHED_PORTS_FROM.toLocaleString("en-US")
      } (half of Linux's default ephemeral ports) each connect searches for a free port, the kernel takes most of a core and sends run late; widen net.ipv4.ip_local_port_range (e.g. to "1024 65535") or spread them with ${spread}`,
    ];
  }
  return [
    `${
      perSource.toLocaleString("en-US")
    } connections per source address may exceed the ephemeral ports of one (source, broker) pair (${
      DEFAULT_EPHEMERAL_PORTS.toLocaleString("en-US")
    } by Linux's default); spread them with --bind (e.g. ${spread})`,
  ];
}
