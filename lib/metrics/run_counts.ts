/**
 * What a run counts, as types: message, connection and command counters, one second
 * of the timeline, the latency histograms, and the totals reporters read each second.
 * `RunMetrics` (`run_metrics.ts`) records them.
 *
 * @module
 */
import type { LatencyHistogram } from "./histogram.ts";

/** Message counters; each has one meaning, named in the summary and README. */
export interface MessageCounts {
  /** Sends the schedule asked for (one per sensor per interval while running). */
  scheduled: number;
  /** Publishes written to a connected socket. */
  sent: number;
  /** QoS 1/2 publishes acknowledged by the broker (PUBACK / PUBCOMP). */
  acked: number;
  /** QoS 1/2 publishes that failed: connection lost, ack deadline passed, refused. */
  failed: number;
  /** Sends skipped because the socket needed drain or the in-flight window was full. */
  backpressured: number;
  /** Sends skipped because the sensor was offline (or its offline buffer overflowed). */
  offlineDropped: number;
  /** Readings kept while offline (fleets with an offline buffer); each is later sent or dropped. */
  offlineBuffered: number;
  /** Messages on the probe's topics of another run, or not iotload's: not counted as received. */
  foreign: number;
  /** Distinct messages the probe received. */
  received: number;
  /** Messages sent but never received by the probe (after the drain period). */
  lost: number;
  /** Messages the probe received more than once. */
  duplicates: number;
  /** Messages the probe received after a later one of the same sensor. */
  reordered: number;
}

/** Connection counters. */
export interface ConnectionCounts {
  /** Sensors (connections) the run aims to hold. */
  target: number;
  /** Connections open right now. */
  connected: number;
  /** Most connections open at once. */
  peak: number;
  /** Connect attempts started (first connects and reconnects). */
  attempts: number;
  /** Connect attempts that failed before CONNACK. */
  attemptsFailed: number;
  /** Established connections that were lost. */
  disconnects: number;
  /** Successful connects after a loss. */
  reconnects: number;
  /** Connections dropped on purpose by churn (not errors). */
  churned: number;
}

/** Command round trips (iotload's commander to a sensor and back). */
export interface CommandCounts {
  /** Commands published. */
  sent: number;
  /** Commands a sensor answered. */
  answered: number;
  /** Commands with no answer within the ack timeout. */
  unanswered: number;
}

/** One second of the run, as shown in the timeline. */
export interface TimelinePoint {
  /** Seconds since the run started. */
  t: number;
  /** Connections open at the end of the second. */
  connected: number;
  /** Publishes written during the second. */
  sent: number;
  /** Acknowledgements during the second. */
  acked: number;
  /** Probe receptions during the second. */
  received: number;
  /** Errors counted during the second. */
  errors: number;
  /** Median ack latency of the second, in ms (0 when none). */
  ackP50Ms: number;
  /** p99 ack latency of the second, in ms (0 when none). */
  ackP99Ms: number;
  /** Median end-to-end latency of the second, in ms (0 when none). */
  e2eP50Ms: number;
  /** p99 end-to-end latency of the second, in ms (0 when none). */
  e2eP99Ms: number;
  /** Median lateness of the second's sends, in ms (0 when none). */
  latenessP50Ms: number;
  /** p99 lateness of the second's sends, in ms (0 when none). */
  latenessP99Ms: number;
  /** Median connect time of the second's connects, in ms (0 when none). */
  connectP50Ms: number;
  /** p99 connect time of the second's connects, in ms (0 when none). */
  connectP99Ms: number;
  /** Stage (1-based) at the end of the second; 0 when the scenario has no stages. */
  stage: number;
  /** The second's errors by category (only categories that had any). */
  errorsByCategory: Record<string, number>;
  /** CPU iotload used in the second, in percent of one core. */
  cpuPercent: number;
  /** Largest event-loop lag within the second, in ms. */
  eventLoopLagMs: number;
}

/** The generator's own figures of one second, as the timeline keeps them. */
export interface SecondGenerator {
  /** CPU used in the second, in percent of one core. */
  readonly cpuPercent: number;
  /** Largest event-loop lag within the second, in ms. */
  readonly eventLoopLagMs: number;
}

/** The latency histograms of a run, all in microseconds. */
export interface LatencyHistograms {
  /** TCP start to CONNACK. */
  readonly connect: LatencyHistogram;
  /** Intended send time to PUBACK / PUBCOMP. */
  readonly ack: LatencyHistogram;
  /** Intended send time to probe reception. */
  readonly e2e: LatencyHistogram;
  /** Actual send time minus intended send time. */
  readonly lateness: LatencyHistogram;
  /** Connection lost (or dropped by churn) to CONNACK again. */
  readonly reconnect: LatencyHistogram;
  /** Command published to its answer received. */
  readonly command: LatencyHistogram;
}

/** The latencies the timeline gives a median and a p99 per second for. */
export const SECOND_LATENCIES = ["ack", "e2e", "lateness", "connect"] as const;

/** One of {@linkcode SECOND_LATENCIES}. */
export type SecondLatency = typeof SECOND_LATENCIES[number];

/**
 * Upper bounds of the latency buckets that totals count, in seconds: from 100 µs to
 * 60 s, about three per decade (the Prometheus histograms' `le` values).
 */
export const LATENCY_BUCKET_BOUNDS_SECONDS: readonly number[] = [
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];

/** One latency's whole-run distribution, as cumulative buckets. */
export interface LatencyBuckets {
  /** Values at or below each of {@linkcode LATENCY_BUCKET_BOUNDS_SECONDS}. */
  readonly counts: readonly number[];
  /** All values recorded. */
  readonly count: number;
  /** Sum of the values, in seconds. */
  readonly sumSeconds: number;
}

/** The run's totals so far, for reporters that keep running totals (Prometheus). */
export interface RunTotals {
  /** Message counters. */
  readonly messages: Readonly<MessageCounts>;
  /** Connection counters. */
  readonly connections: Readonly<ConnectionCounts>;
  /** Errors by category. */
  readonly errors: Readonly<Record<string, number>>;
  /** The latencies with a per-second median and p99, as whole-run buckets. */
  readonly latency: Readonly<Record<SecondLatency, LatencyBuckets>>;
}
