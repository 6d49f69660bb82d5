import { type Scenario, totalSensors } from "../config/scenario.ts";
import { UsageError } from "../config/usage_error.ts";

/** Limits of this host that cap how many connections one process can open. */
export interface HostLimits {
  /** Open-file soft limit of this process (Deno raises it to the hard limit itself). */
  readonly openFilesSoft: number;
  /** Open-file hard limit. */
  readonly openFilesHard: number;
  /** Ephemeral ports per (source address, destination) pair. */
  readonly ephemeralPorts: number;
}

/** Descriptors kept aside for the probe, the embedded broker, files and the runtime. */
const DESCRIPTOR_MARGIN = 64;

/**
 * Reads the limits through `sh` (`ulimit`, `/proc/sys/net/ipv4/ip_local_port_range`):
 * Deno allows reading `/proc` only with every permission. Returns null when `sh` may
 * not be run or the values cannot be read; the run then goes on unchecked.
 */
export function readHostLimits(): HostLimits | null {
  try {
    const output = new Deno.Command("sh", {
      args: ["-c", "ulimit -Sn; ulimit -Hn; cat /proc/sys/net/ipv4/ip_local_port_range"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const [soft, hard, low, high] = new TextDecoder().decode(output.stdout).trim().split(/\s+/);
    const limits = {
      openFilesSoft: soft === "unlimited" ? Infinity : Number(soft),
      openFilesHard: hard === "unlimited" ? Infinity : Number(hard),
      ephemeralPorts: Number(high) - Number(low) + 1,
    };
    return Object.values(limits).every((value) => !Number.isNaN(value)) ? limits : null;
  } catch {
    return null;
  }
}

/**
 * Checks that the run fits the host: descriptors for every connection (sensors, probe,
 * a margin) and ephemeral ports per source address. Throws {@linkcode UsageError}
 * with a hint otherwise.
 */
export function checkHostLimits(scenario: Scenario, limits: HostLimits): void {
  const sensors = totalSensors(scenario);
  // The embedded broker runs in this process: it holds the other end of every connection.
  const ends = scenario.url === null ? 2 : 1;
  const connections = sensors + (scenario.probe ? scenario.probeConnections : 0);
  const needed = connections * ends + DESCRIPTOR_MARGIN;
  if (needed > limits.openFilesSoft) {
    throw new UsageError(
      `${sensors.toLocaleString("en-US")} sensors need about ${
        needed.toLocaleString("en-US")
      } open files; this process may open ${limits.openFilesSoft.toLocaleString("en-US")}`,
      limits.openFilesHard > limits.openFilesSoft
        ? `raise the limit with \`ulimit -n ${limits.openFilesHard}\` and run again`
        : `raise the hard limit (/etc/security/limits.conf, or LimitNOFILE= for a service) or run several processes with fewer --sensors each`,
    );
  }
  const sources = Math.max(1, scenario.bindAddresses.length);
  const perSource = Math.ceil(sensors / sources);
  if (perSource > limits.ephemeralPorts) {
    throw new UsageError(
      `${perSource.toLocaleString("en-US")} connections per source address exceed the ${
        limits.ephemeralPorts.toLocaleString("en-US")
      } ephemeral ports available to one (source, broker) pair`,
      `spread connections over more source addresses, e.g. --bind 127.0.0.2-127.0.0.${
        1 + Math.ceil(sensors / limits.ephemeralPorts)
      } (loopback) or several addresses of this host`,
    );
  }
}
