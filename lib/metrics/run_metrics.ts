import { createFleetTally, type FleetTally } from "./fleet_tally.ts";
import { FailedDevices } from "./failed_devices.ts";
import { LatencyHistogram } from "./histogram.ts";
import {
  type CommandCounts,
  type ConnectionCounts,
  LATENCY_BUCKET_BOUNDS_SECONDS,
  type LatencyBuckets,
  type LatencyHistograms,
  type MessageCounts,
  type RunTotals,
  SECOND_LATENCIES,
  type SecondGenerator,
  type SecondLatency,
  type TimelinePoint,
} from "./run_counts.ts";

/** How many distinct error messages a run keeps. */
export const MAX_ERROR_SAMPLES = 5;

/**
 * Everything a run measures: counters, HDR histograms and the per-second timeline.
 *
 * The engine and probe record facts here; reporters read them. Nothing here prints.
 */
export class RunMetrics {
  /** Message counters. */
  readonly messages: MessageCounts = {
    scheduled: 0,
    sent: 0,
    acked: 0,
    failed: 0,
    backpressured: 0,
    offlineDropped: 0,
    offlineBuffered: 0,
    foreign: 0,
    received: 0,
    lost: 0,
    duplicates: 0,
    reordered: 0,
  };
  /** Connection counters. */
  readonly connections: ConnectionCounts;
  /** Errors by category (e.g. `connectRefused`). */
  readonly errors: Record<string, number> = {};
  /** The first few distinct error messages, as `category: message`. */
  readonly errorSamples: string[] = [];
  /** Whole-run histograms. */
  readonly histograms: LatencyHistograms = {
    connect: new LatencyHistogram(),
    ack: new LatencyHistogram(),
    e2e: new LatencyHistogram(),
    lateness: new LatencyHistogram(),
    reconnect: new LatencyHistogram(),
    command: new LatencyHistogram(),
  };
  /** Devices that failed to connect, by category. */
  readonly failedDevices: FailedDevices = new FailedDevices();
  /** Command round trips. */
  readonly commands: CommandCounts = { sent: 0, answered: 0, unanswered: 0 };
  /** One point per second. */
  readonly timeline: TimelinePoint[] = [];
  /** Total errors counted so far. */
  errorCount = 0;

  /** The whole-run histograms as they were when the last second closed. */
  #atLastSecond: Record<SecondLatency, LatencyHistogram> = {
    ack: new LatencyHistogram(),
    e2e: new LatencyHistogram(),
    lateness: new LatencyHistogram(),
    connect: new LatencyHistogram(),
  };
  #last = { sent: 0, acked: 0, received: 0, errors: 0 };
  /** Errors by category when the last second closed. */
  #lastErrors: Record<string, number> = {};

  /** Each fleet's own counters and histograms, in scenario order. */
  readonly fleets: readonly FleetTally[];

  /**
   * Creates empty metrics for a run that aims at `targetConnections` connections, with
   * `fleetCount` fleets (default 1).
   */
  constructor(targetConnections: number, fleetCount = 1) {
    this.fleets = Array.from({ length: fleetCount }, createFleetTally);
    this.connections = {
      target: targetConnections,
      connected: 0,
      peak: 0,
      attempts: 0,
      attemptsFailed: 0,
      disconnects: 0,
      reconnects: 0,
      churned: 0,
    };
  }

  /** Counts `count` errors (default 1) of `category`, keeping the message if it is new. */
  recordError(category: string, message: string, count = 1): void {
    this.errors[category] = (this.errors[category] ?? 0) + count;
    this.errorCount += count;
    if (this.errorSamples.length < MAX_ERROR_SAMPLES) {
      const sample = `${category}: ${message}`;
      if (!this.errorSamples.includes(sample)) this.errorSamples.push(sample);
    }
  }

  /**
   * Records a successful connect that took `connectUs`; a reconnect also records how
   * long the sensor was offline (`offlineUs`).
   */
  recordConnected(connectUs: number, isReconnect: boolean, offlineUs = 0): void {
    const connections = this.connections;
    connections.attempts++;
    connections.connected++;
    if (connections.connected > connections.peak) {
      connections.peak = connections.connected;
    }
    if (isReconnect) {
      connections.reconnects++;
      this.histograms.reconnect.recordUs(offlineUs);
    }
    this.histograms.connect.recordUs(connectUs);
  }

  /** Records a connection dropped on purpose by churn. */
  recordChurned(): void {
    this.connections.connected--;
    this.connections.churned++;
  }

  /**
   * Records a connect attempt that failed before CONNACK; `device` (its username or
   * client id) is noted among the category's failed devices.
   */
  recordConnectFailed(category: string, message: string, device?: string): void {
    this.connections.attempts++;
    this.connections.attemptsFailed++;
    this.recordError(category, message);
    if (device !== undefined) this.failedDevices.record(category, device);
  }

  /** Records a lost connection. */
  recordDisconnected(): void {
    this.connections.connected--;
    this.connections.disconnects++;
  }

  /** Records an acknowledgement `ackUs` after the intended send time. */
  recordAck(ackUs: number): void {
    this.messages.acked++;
    this.histograms.ack.recordUs(ackUs);
  }

  /** Records a probe reception `e2eUs` after the intended send time. */
  recordE2e(e2eUs: number): void {
    this.histograms.e2e.recordUs(e2eUs);
  }

  /**
   * Closes the current second: appends its timeline point (deltas since the last one),
   * with the stage and the generator's figures of the second.
   */
  closeSecond(
    tSec: number,
    stage = 0,
    generator: SecondGenerator = { cpuPercent: 0, eventLoopLagMs: 0 },
  ): TimelinePoint {
    const m = this.messages;
    const quantiles = this.#closeSecondLatencies();
    const point: TimelinePoint = {
      t: tSec,
      connected: this.connections.connected,
      sent: m.sent - this.#last.sent,
      acked: m.acked - this.#last.acked,
      received: m.received - this.#last.received,
      errors: this.errorCount - this.#last.errors,
      ackP50Ms: quantiles.ack[0],
      ackP99Ms: quantiles.ack[1],
      e2eP50Ms: quantiles.e2e[0],
      e2eP99Ms: quantiles.e2e[1],
      latenessP50Ms: quantiles.lateness[0],
      latenessP99Ms: quantiles.lateness[1],
      connectP50Ms: quantiles.connect[0],
      connectP99Ms: quantiles.connect[1],
      stage,
      errorsByCategory: this.#errorsSinceLastSecond(),
      cpuPercent: generator.cpuPercent,
      eventLoopLagMs: generator.eventLoopLagMs,
    };
    this.#last = {
      sent: m.sent,
      acked: m.acked,
      received: m.received,
      errors: this.errorCount,
    };
    this.timeline.push(point);
    return point;
  }

  /** Each category's errors since the last second closed (categories with none left out). */
  #errorsSinceLastSecond(): Record<string, number> {
    const since: Record<string, number> = {};
    for (const [category, count] of Object.entries(this.errors)) {
      const delta = count - (this.#lastErrors[category] ?? 0);
      if (delta > 0) since[category] = delta;
    }
    this.#lastErrors = { ...this.errors };
    return since;
  }

  /** The totals so far: counters, errors and latency buckets (copies). */
  totals(): RunTotals {
    const boundsUs = LATENCY_BUCKET_BOUNDS_SECONDS.map((seconds) => seconds * 1e6);
    const latency = {} as Record<SecondLatency, LatencyBuckets>;
    for (const name of SECOND_LATENCIES) {
      const histogram = this.histograms[name];
      latency[name] = {
        counts: histogram.countsAtOrBelowUs(boundsUs),
        count: histogram.count,
        sumSeconds: histogram.sumUs / 1e6,
      };
    }
    return {
      messages: { ...this.messages },
      connections: { ...this.connections },
      errors: { ...this.errors },
      latency,
    };
  }

  /**
   * The median and p99 (ms) of what each whole-run histogram gained since the last
   * second closed, which covers values merged from workers too.
   */
  #closeSecondLatencies(): Record<SecondLatency, [number, number]> {
    const quantiles = {} as Record<SecondLatency, [number, number]>;
    for (const name of SECOND_LATENCIES) {
      const now = this.histograms[name].copy();
      const second = now.copy();
      second.subtract(this.#atLastSecond[name]);
      quantiles[name] = [roundMs(second.percentileUs(50)), roundMs(second.percentileUs(99))];
      this.#atLastSecond[name] = now;
    }
    return quantiles;
  }
}

function roundMs(us: number): number {
  return Math.round(us) / 1000;
}
