/**
 * What one fleet of a scenario did, beside the run's totals: its message counters and
 * its latency histograms, so a report can say which fleet was slow or lossy.
 *
 * @module
 */
import { LatencyHistogram } from "./histogram.ts";

/** The message counters kept per fleet (same meanings as the run's). */
export interface FleetMessageCounts {
  scheduled: number;
  sent: number;
  acked: number;
  failed: number;
  backpressured: number;
  offlineDropped: number;
  received: number;
  lost: number;
  duplicates: number;
}

/** The latency histograms kept per fleet, in microseconds. */
export interface FleetHistograms {
  /** TCP start to CONNACK. */
  readonly connect: LatencyHistogram;
  /** Intended send time to PUBACK / PUBCOMP. */
  readonly ack: LatencyHistogram;
  /** Intended send time to probe reception. */
  readonly e2e: LatencyHistogram;
  /** Actual send time minus intended send time. */
  readonly lateness: LatencyHistogram;
}

/** The latency names a fleet's summary lists, in order. */
export const FLEET_LATENCY_NAMES = ["connect", "ack", "e2e", "lateness"] as const;

/** One fleet's counters and histograms. */
export interface FleetTally {
  /** Message counters. */
  readonly messages: FleetMessageCounts;
  /** Latency histograms. */
  readonly histograms: FleetHistograms;
}

/** An empty tally. */
export function createFleetTally(): FleetTally {
  return {
    messages: {
      scheduled: 0,
      sent: 0,
      acked: 0,
      failed: 0,
      backpressured: 0,
      offlineDropped: 0,
      received: 0,
      lost: 0,
      duplicates: 0,
    },
    histograms: {
      connect: new LatencyHistogram(),
      ack: new LatencyHistogram(),
      e2e: new LatencyHistogram(),
      lateness: new LatencyHistogram(),
    },
  };
}
