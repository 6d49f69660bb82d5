import { DEFAULT_SCENARIO, redactScenario } from "../../lib/config/scenario.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";
import { buildSummary, type Summary } from "../../lib/metrics/summary.ts";

/** What a fixture run measured; everything has a plausible default. */
export interface FixtureRun {
  /** The run's id. */
  readonly runId?: string;
  /** Every e2e latency, in µs (one reception each). */
  readonly e2eUs?: readonly number[];
  /** Every ack latency, in µs; none: a QoS 0 run. */
  readonly ackUs?: readonly number[];
  /** Messages sent per second, for 3 seconds. */
  readonly sentPerSecond?: number;
  /** Messages lost in all. */
  readonly lost?: number;
  /** Errors by category. */
  readonly errors?: Readonly<Record<string, number>>;
  /** Generator CPU seconds. */
  readonly cpuSeconds?: number;
  /** Settings over the default scenario's, for the summary's config. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A three-second, 10-sensor run's summary, built as a run builds it. */
export function fixtureSummary(run: FixtureRun = {}): Summary {
  const metrics = new RunMetrics(10);
  for (let i = 0; i < 10; i++) metrics.recordConnected(1_500 + i * 100, false);
  const sent = run.sentPerSecond ?? 100;
  const e2eUs = run.e2eUs ?? Array.from({ length: 3 * sent }, (_, i) => 2_000 + (i % 50) * 40);
  for (let second = 1; second <= 3; second++) {
    metrics.messages.scheduled += sent;
    metrics.messages.sent += sent;
    for (let i = 0; i < sent; i++) metrics.histograms.lateness.recordUs(200 + i);
    const perSecond = e2eUs.slice((second - 1) * sent, second * sent);
    for (const us of perSecond) metrics.recordE2e(us);
    metrics.messages.received += perSecond.length;
    for (const us of (run.ackUs ?? []).slice((second - 1) * sent, second * sent)) {
      metrics.recordAck(us);
    }
    metrics.closeSecond(second);
  }
  metrics.messages.lost = run.lost ?? 0;
  for (const [category, count] of Object.entries(run.errors ?? {})) {
    metrics.recordError(category, `${category} happened`, count);
  }
  const startedAtMs = Date.UTC(2026, 11, 1, 10, 0, 0);
  return buildSummary(metrics, {
    version: "0.1.0",
    runId: run.runId ?? "0a1b2c3d",
    startedAtMs,
    endedAtMs: startedAtMs + 5_000,
    interrupted: false,
    aborted: null,
    broker: { url: "mqtt://127.0.0.1:1883", embedded: false },
    config: { ...redactScenario(DEFAULT_SCENARIO), ...run.config },
    fleets: DEFAULT_SCENARIO.fleets,
    neverConnected: 0,
    notAttempted: 0,
    targetPerSec: sent,
    holdWindow: {
      sent: 3 * sent,
      acked: run.ackUs?.length ?? 0,
      received: e2eUs.length,
      ms: 3_000,
    },
    probe: true,
    reconciled: true,
    health: {
      workers: 1,
      cpuPercent: 30,
      cpuSeconds: run.cpuSeconds ?? 1,
      rssBytes: 100_000_000,
      peakRssBytes: 110_000_000,
      eventLoopLagP99Ms: 1,
      wallSeconds: 5,
    },
  });
}
