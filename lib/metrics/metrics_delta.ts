import { LatencyHistogram } from "./histogram.ts";
import type { FleetMessageCounts } from "./fleet_tally.ts";
import type { MessageCounts } from "./run_counts.ts";
import { MAX_ERROR_SAMPLES, type RunMetrics } from "./run_metrics.ts";

/**
 * What a worker's metrics gained since its last delta: plain data, cheap to post
 * between threads, merged exactly (counts add, histograms merge).
 */
export interface MetricsDelta {
  /** Message counter increments. */
  readonly messages: Readonly<MessageCounts>;
  /** Connection counter increments (`connected` may be negative). */
  readonly connections: {
    readonly connected: number;
    readonly attempts: number;
    readonly attemptsFailed: number;
    readonly disconnects: number;
    readonly reconnects: number;
    readonly churned: number;
  };
  /** Error counts by category. */
  readonly errors: Readonly<Record<string, number>>;
  /** Error samples first seen since the last delta. */
  readonly errorSamples: readonly string[];
  /** Devices first seen failing to connect since the last delta, by category. */
  readonly failedDevices: Readonly<Record<string, readonly string[]>>;
  /** Encoded histograms of what was recorded since the last delta. */
  readonly histograms: {
    readonly connect: string;
    readonly ack: string;
    readonly lateness: string;
    readonly reconnect: string;
  };
  /** Each fleet's counters since the last delta, and its histograms, encoded. */
  readonly fleets: readonly {
    readonly messages: Readonly<FleetMessageCounts>;
    readonly histograms: {
      readonly connect: string;
      readonly ack: string;
      readonly lateness: string;
    };
  }[];
}

type Counters = {
  messages: MessageCounts;
  fleets: FleetMessageCounts[];
  connections: MetricsDelta["connections"];
  errors: Record<string, number>;
  samples: number;
};

/**
 * Takes deltas from a worker's {@linkcode RunMetrics}: counters as differences from the
 * previous take, histograms encoded and then reset (so they hold one interval each).
 */
export class DeltaTaker {
  readonly #metrics: RunMetrics;
  #last: Counters;

  /** Starts from the metrics' current counts. */
  constructor(metrics: RunMetrics) {
    this.#metrics = metrics;
    this.#last = snapshot(metrics);
  }

  /** The change since the previous call. */
  take(): MetricsDelta {
    const now = snapshot(this.#metrics);
    const last = this.#last;
    this.#last = now;
    const h = this.#metrics.histograms;
    const encodeAndReset = (histogram: LatencyHistogram) => {
      const encoded = histogram.encode();
      histogram.reset();
      return encoded;
    };
    const errors: Record<string, number> = {};
    for (const [category, count] of Object.entries(now.errors)) {
      const added = count - (last.errors[category] ?? 0);
      if (added !== 0) errors[category] = added;
    }
    return {
      messages: subtract(now.messages, last.messages),
      connections: subtract(now.connections, last.connections),
      errors,
      errorSamples: this.#metrics.errorSamples.slice(last.samples),
      failedDevices: this.#metrics.failedDevices.takeNew(),
      histograms: {
        connect: encodeAndReset(h.connect),
        ack: encodeAndReset(h.ack),
        lateness: encodeAndReset(h.lateness),
        reconnect: encodeAndReset(h.reconnect),
      },
      fleets: this.#metrics.fleets.map((tally, n) => ({
        messages: subtract(now.fleets[n], last.fleets[n]),
        histograms: {
          connect: encodeAndReset(tally.histograms.connect),
          ack: encodeAndReset(tally.histograms.ack),
          lateness: encodeAndReset(tally.histograms.lateness),
        },
      })),
    };
  }
}

/** Adds a worker's delta to the run's metrics (exact: counts add, histograms merge). */
export function applyDelta(metrics: RunMetrics, delta: MetricsDelta): void {
  const m = metrics.messages as unknown as Record<string, number>;
  for (const [name, added] of Object.entries(delta.messages)) m[name] += added;
  const c = metrics.connections;
  c.connected += delta.connections.connected;
  c.attempts += delta.connections.attempts;
  c.attemptsFailed += delta.connections.attemptsFailed;
  c.disconnects += delta.connections.disconnects;
  c.reconnects += delta.connections.reconnects;
  c.churned += delta.connections.churned;
  // Sampled when deltas arrive: a peak inside one second between two deltas is not seen.
  if (c.connected > c.peak) c.peak = c.connected;
  for (const [category, added] of Object.entries(delta.errors)) {
    metrics.errors[category] = (metrics.errors[category] ?? 0) + added;
    metrics.errorCount += added;
  }
  metrics.failedDevices.merge(delta.failedDevices);
  for (const sample of delta.errorSamples) {
    if (metrics.errorSamples.length < MAX_ERROR_SAMPLES && !metrics.errorSamples.includes(sample)) {
      metrics.errorSamples.push(sample);
    }
  }
  metrics.histograms.connect.merge(LatencyHistogram.decode(delta.histograms.connect));
  metrics.histograms.lateness.merge(LatencyHistogram.decode(delta.histograms.lateness));
  metrics.histograms.reconnect.merge(LatencyHistogram.decode(delta.histograms.reconnect));
  metrics.histograms.ack.merge(LatencyHistogram.decode(delta.histograms.ack));
  delta.fleets.forEach((fleetDelta, n) => {
    const tally = metrics.fleets[n];
    const counts = tally.messages as unknown as Record<string, number>;
    for (const [name, added] of Object.entries(fleetDelta.messages)) counts[name] += added;
    tally.histograms.connect.merge(LatencyHistogram.decode(fleetDelta.histograms.connect));
    tally.histograms.ack.merge(LatencyHistogram.decode(fleetDelta.histograms.ack));
    tally.histograms.lateness.merge(LatencyHistogram.decode(fleetDelta.histograms.lateness));
  });
}

function snapshot(metrics: RunMetrics): Counters {
  const c = metrics.connections;
  return {
    messages: { ...metrics.messages },
    fleets: metrics.fleets.map((tally) => ({ ...tally.messages })),
    connections: {
      connected: c.connected,
      attempts: c.attempts,
      attemptsFailed: c.attemptsFailed,
      disconnects: c.disconnects,
      reconnects: c.reconnects,
      churned: c.churned,
    },
    errors: { ...metrics.errors },
    samples: metrics.errorSamples.length,
  };
}

function subtract<T extends object>(now: T, before: T): T {
  const result = {} as Record<string, number>;
  for (const [name, value] of Object.entries(now)) {
    result[name] = (value as number) - ((before as Record<string, number>)[name] ?? 0);
  }
  return result as T;
}
