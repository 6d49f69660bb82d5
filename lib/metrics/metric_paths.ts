/**
 * Every number of the summary a threshold (and, later, a comparison) may name, with
 * what it means: one list for the thresholds parser, the JSON contract and README. The
 * `satisfies` clauses make the compiler refuse a summary counter that is missing here.
 *
 * @module
 */
import type { Summary } from "./summary.ts";

type NumericKeys<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/** `messages.*`: what happened to the readings. */
export const MESSAGE_METRICS = {
  scheduled: "readings due by the schedule (the whole fleet's, connected or not)",
  sent: "publishes written to a socket",
  acked: "QoS 1/2 publishes acknowledged (PUBACK / PUBCOMP)",
  failed: "QoS 1/2 publishes that failed (refused, lost with the connection, past the ack timeout)",
  backpressured: "readings not written because the socket or in-flight window was full",
  offlineDropped: "readings due while the sensor was offline, and not buffered",
  offlineBuffered: "readings kept while offline, to be sent on reconnect",
  received: "messages the probe received",
  lost: "sent messages the probe never received",
  duplicates: "messages the probe received more than once",
  reordered: "messages the probe received after a later one of the same sensor",
  foreign: "messages on the probe's topics from another run (or not iotload's), not counted",
} as const satisfies Record<keyof Summary["messages"], string>;

/** `connections.*`: the fleet's connections (`connections.errors.<category>` besides). */
export const CONNECTION_METRICS = {
  target: "sensors in the fleet",
  connected: "connections open at the end",
  peak: "most connections open at once",
  failed: "sensors that tried and never connected",
  notAttempted: "sensors whose first attempt never ended (the run stopped first)",
  attempts: "connect attempts, first and retries",
  attemptsFailed: "connect attempts that failed",
  disconnects: "established connections lost",
  reconnects: "connections re-established after a loss",
  churned: "connections dropped on purpose by churn",
} as const satisfies Record<NumericKeys<Summary["connections"]>, string>;

/** `commands.*`: command round trips. */
export const COMMAND_METRICS = {
  sent: "commands sent to sensors",
  answered: "commands answered",
  unanswered: "commands without an answer within the ack timeout",
} as const satisfies Record<keyof Summary["commands"], string>;

/** `rates.*`: per-second rates over the hold. */
export const RATE_METRICS = {
  targetPerSec: "the scenario's target publish rate",
  sentPerSec: "publishes written per second",
  ackedPerSec: "acknowledgements per second",
  receivedPerSec: "probe receptions per second",
  windowMs: "length of the window the rates are measured over, in ms",
} as const satisfies Record<keyof Summary["rates"], string>;

/** `generator.*`: the generator's own health. */
export const GENERATOR_METRICS = {
  workers: "fleet threads",
  cpuPercent: "CPU used, percent of one core",
  cpuSeconds: "CPU time used, in s",
  rssBytes: "resident memory at the end, in bytes",
  peakRssBytes: "peak resident memory, in bytes",
  eventLoopLagP99Ms: "p99 event-loop lag, in ms",
} as const satisfies Record<NumericKeys<Summary["generator"]>, string>;

/** Each section of the summary with numbers a threshold may name, and those numbers. */
export const METRIC_SECTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  messages: MESSAGE_METRICS,
  connections: CONNECTION_METRICS,
  commands: COMMAND_METRICS,
  rates: RATE_METRICS,
  generator: GENERATOR_METRICS,
};
