import { createFleetTally, type FleetTally } from "./fleet_tally.ts";
import { LatencyHistogram } from "./histogram.ts";

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
  /** p99 ack latency of the second, in ms (0 when none). */
  ackP99Ms: number;
  /** p99 end-to-end latency of the second, in ms (0 when none). */
  e2eP99Ms: number;
  /** Stage (1-based) at the end of the second; 0 when the scenario has no stages. */
  stage: number;
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
  /** Command round trips. */
  readonly commands: CommandCounts = { sent: 0, answered: 0, unanswered: 0 };
  /** One point per second. */
  readonly timeline: TimelinePoint[] = [];
  /** Total errors counted so far. */
  errorCount = 0;

  readonly #secondAck = new LatencyHistogram();
  readonly #secondE2e = new LatencyHistogram();
  #last = { sent: 0, acked: 0, received: 0, errors: 0 };

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

  /** Records a connect attempt that failed before CONNACK. */
  recordConnectFailed(category: string, message: string): void {
    this.connections.attempts++;
    this.connections.attemptsFailed++;
    this.recordError(category, message);
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
    this.#secondAck.recordUs(ackUs);
  }

  /** Adds acknowledgements recorded elsewhere (a worker) to the run and the current second. */
  mergeAcks(histogram: LatencyHistogram): void {
    this.histograms.ack.merge(histogram);
    this.#secondAck.merge(histogram);
  }

  /** Records a probe reception `e2eUs` after the intended send time. */
  recordE2e(e2eUs: number): void {
    this.histograms.e2e.recordUs(e2eUs);
    this.#secondE2e.recordUs(e2eUs);
  }

  /** Closes the current second: appends its timeline point (deltas since the last one). */
  closeSecond(tSec: number, stage = 0): TimelinePoint {
    const m = this.messages;
    const point: TimelinePoint = {
      t: tSec,
      connected: this.connections.connected,
      sent: m.sent - this.#last.sent,
      acked: m.acked - this.#last.acked,
      received: m.received - this.#last.received,
      errors: this.errorCount - this.#last.errors,
      ackP99Ms: roundMs(this.#secondAck.percentileUs(99)),
      e2eP99Ms: roundMs(this.#secondE2e.percentileUs(99)),
      stage,
    };
    this.#last = {
      sent: m.sent,
      acked: m.acked,
      received: m.received,
      errors: this.errorCount,
    };
    this.#secondAck.reset();
    this.#secondE2e.reset();
    this.timeline.push(point);
    return point;
  }
}

function roundMs(us: number): number {
  return Math.round(us) / 1000;
}
