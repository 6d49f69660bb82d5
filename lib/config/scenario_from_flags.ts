import { parseDurationMs } from "./duration.ts";
import { DEFAULT_SCENARIO, type ProtocolVersion, type QoS, type Scenario } from "./scenario.ts";
import { UsageError } from "./usage_error.ts";
import { parseBrokerUrl, parseChoice, parseInteger } from "./values.ts";

/** Raw flag values by long flag name, as the CLI parsed them. */
export type FlagValues = Readonly<
  Record<string, string | boolean | string[] | undefined>
>;

/** Placeholders that topic and client-id templates may use. */
export const TEMPLATE_PLACEHOLDERS: readonly string[] = ["id", "index"];

const ONE_DAY_MS = 86_400_000;

/**
 * Builds the frozen {@linkcode Scenario} from flag values over the defaults.
 *
 * `env` supplies `IOTLOAD_PASSWORD` when `--password` is absent. Every problem is
 * collected; if there are any, one {@linkcode UsageError} carries them all, one per line.
 */
export function scenarioFromFlags(
  flags: FlagValues,
  env: Readonly<Record<string, string | undefined>> = {},
): Scenario {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = flags[name];
    return typeof value === "string" ? value : undefined;
  };
  function field<T>(
    name: string,
    fallback: T,
    parse: (value: string, flag: string) => T,
  ): T {
    const value = text(name);
    if (value === undefined) return fallback;
    try {
      return parse(value, `--${name}`);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(error.message);
      return fallback;
    }
  }
  const positiveDuration = (value: string, flag: string): number => {
    const ms = parseDurationMs(value, flag);
    if (ms < 1 || ms > ONE_DAY_MS) {
      throw new UsageError(
        `${flag}: expected 1ms to 24h, got ${JSON.stringify(value)}`,
      );
    }
    return ms;
  };
  const d = DEFAULT_SCENARIO;

  const scenario: Scenario = {
    url: field("url", d.url, parseBrokerUrl),
    username: text("username"),
    password: text("password") ?? env.IOTLOAD_PASSWORD,
    caPath: text("ca"),
    certPath: text("cert"),
    keyPath: text("key"),
    insecure: flags.insecure === true,
    sensors: field(
      "sensors",
      d.sensors,
      (v, f) => parseInteger(v, f, 1, 1_000_000),
    ),
    intervalMs: field("interval", d.intervalMs, positiveDuration),
    durationMs: field(
      "duration",
      d.durationMs,
      (v, f) => parseDurationMs(v, f),
    ),
    qos: field("qos", d.qos, (v, f) => parseChoice<QoS>(v, f, [0, 1, 2])),
    protocolVersion: field(
      "protocol-version",
      // The embedded broker (aedes) speaks MQTT 3.1.1 only.
      text("url") === undefined ? 4 : d.protocolVersion,
      (v, f) => parseChoice<ProtocolVersion>(v, f, [4, 5]),
    ),
    keepaliveSec: field("keepalive", d.keepaliveSec, parseKeepaliveSec),
    topicTemplate: field("topic", d.topicTemplate, checkTemplate),
    clientIdTemplate: field("client-id", d.clientIdTemplate, checkTemplate),
    connectRatePerSec: field(
      "connect-rate",
      d.connectRatePerSec,
      (v, f) => parseInteger(v.replace(/\/s$/, ""), f, 1, 1_000_000),
    ),
    connectConcurrency: field(
      "connect-concurrency",
      d.connectConcurrency,
      (v, f) => parseInteger(v, f, 1, 100_000),
    ),
    connectTimeoutMs: field(
      "connect-timeout",
      d.connectTimeoutMs,
      positiveDuration,
    ),
    ackTimeoutMs: field("ack-timeout", d.ackTimeoutMs, positiveDuration),
    maxInflight: field(
      "max-inflight",
      d.maxInflight,
      (v, f) => parseInteger(v, f, 1, 65_535),
    ),
    seed: field("seed", d.seed, (v, f) => parseInteger(v, f, 0, 2 ** 32 - 1)),
    probe: flags["no-probe"] !== true,
    probeConnections: field(
      "probe-connections",
      d.probeConnections,
      (v, f) => parseInteger(v, f, 1, 1_000),
    ),
    drainMs: field("drain", d.drainMs, (v, f) => parseDurationMs(v, f)),
    thresholds: Array.isArray(flags.threshold) ? flags.threshold : d.thresholds,
    json: flags.json === true,
    outPath: text("out") ?? d.outPath,
  };
  if (scenario.url === null && scenario.protocolVersion === 5) {
    problems.push("--protocol-version 5: the embedded broker speaks MQTT 3.1.1 only; give --url");
  }
  if (scenario.url === null && hasTlsOptions(scenario)) {
    problems.push(
      "--ca/--cert/--key/--insecure need --url with mqtts:// or wss://",
    );
  }
  if ((scenario.certPath === undefined) !== (scenario.keyPath === undefined)) {
    problems.push("--cert and --key must be given together");
  }
  if (scenario.sensors > 1 && !/\{(id|index)\}/.test(scenario.clientIdTemplate)) {
    // MQTT-3.1.4-2: a second connection with the same client id takes the first one over.
    problems.push(
      `--client-id: ${
        JSON.stringify(scenario.clientIdTemplate)
      } gives every sensor the same client id; add {id}`,
    );
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return Object.freeze(scenario);
}

function hasTlsOptions(scenario: Scenario): boolean {
  return scenario.caPath !== undefined || scenario.certPath !== undefined ||
    scenario.keyPath !== undefined || scenario.insecure;
}

function parseKeepaliveSec(value: string, flag: string): number {
  const seconds = /^\d+$/.test(value.trim())
    ? Number(value.trim())
    : parseDurationMs(value, flag) / 1000;
  // MQTT-3.1.2-20 ff.: keepalive is a 16-bit count of seconds; 0 turns it off.
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 65_535) {
    throw new UsageError(
      `${flag}: expected whole seconds from 0 to 65535 (e.g. 60 or 60s), got ${
        JSON.stringify(value)
      }`,
    );
  }
  return seconds;
}

function checkTemplate(value: string, flag: string): string {
  for (const match of value.matchAll(/\{([^}]*)\}/g)) {
    if (!TEMPLATE_PLACEHOLDERS.includes(match[1])) {
      throw new UsageError(
        `${flag}: unknown placeholder {${match[1]}} in ${JSON.stringify(value)}; known: ${
          TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(", ")
        }`,
      );
    }
  }
  return value;
}
