/**
 * The `--prometheus` reporter's metrics: the run's totals in the Prometheus text
 * format, with prom-client, updated from each second's fact. The names follow the
 * summary's (`messages.sent` is `iotload_messages_total{kind="sent"}`).
 *
 * @module
 */
import client from "prom-client";
import type { RunFact, SecondFact } from "../metrics/facts.ts";
import {
  LATENCY_BUCKET_BOUNDS_SECONDS,
  type LatencyBuckets,
  type MessageCounts,
  SECOND_LATENCIES,
  type SecondLatency,
} from "../metrics/run_counts.ts";

/** The `kind` label of `iotload_messages_total`, and the summary counter each one is. */
const MESSAGE_KINDS: Readonly<Record<string, keyof MessageCounts>> = {
  scheduled: "scheduled",
  sent: "sent",
  acked: "acked",
  failed: "failed",
  backpressured: "backpressured",
  offline_dropped: "offlineDropped",
  received: "received",
  lost: "lost",
  duplicate: "duplicates",
  reordered: "reordered",
};

const LATENCY_HELP: Readonly<Record<SecondLatency, string>> = {
  connect: "TCP start to CONNACK, per connection (reconnects included)",
  ack: "intended send time to PUBACK (QoS 1) or PUBCOMP (QoS 2)",
  e2e: "intended send time to reception by the probe",
  lateness: "actual send time minus intended send time",
};

/**
 * Holds the latest totals of a run and shows them as Prometheus metrics: counters and
 * gauges through prom-client (a counter is reset and set to the run's total at each
 * scrape: the totals only grow), latency histograms (seconds, 100 µs to 60 s) from the
 * run's HDR histograms, and `iotload_run_info` with the run id, phase and stage.
 */
export class PrometheusExporter {
  readonly #registry = new client.Registry();
  #latest: SecondFact | null = null;

  /** Declares every metric; all read 0 until the first second. */
  constructor() {
    const registers = [this.#registry];
    const latest = () => this.#latest;
    new client.Gauge({
      name: "iotload_connections",
      help: "Connections open now",
      registers,
      collect() {
        this.set(latest()?.totals.connections.connected ?? 0);
      },
    });
    new client.Counter({
      name: "iotload_connection_attempts_total",
      help: "Connect attempts started (first connects and reconnects)",
      registers,
      collect() {
        this.reset();
        this.inc(latest()?.totals.connections.attempts ?? 0);
      },
    });
    new client.Counter({
      name: "iotload_messages_total",
      help: "Messages by kind, as the summary's messages counters",
      labelNames: ["kind"],
      registers,
      collect() {
        this.reset();
        for (const [kind, counter] of Object.entries(MESSAGE_KINDS)) {
          this.inc({ kind }, latest()?.totals.messages[counter] ?? 0);
        }
      },
    });
    new client.Counter({
      name: "iotload_errors_total",
      help: "Errors by category, as the summary's errors",
      labelNames: ["category"],
      registers,
      collect() {
        this.reset();
        for (const [category, count] of Object.entries(latest()?.totals.errors ?? {})) {
          this.inc({ category }, count);
        }
      },
    });
    for (const name of SECOND_LATENCIES) {
      this.#registry.registerMetric(
        latencyHistogram(
          `iotload_${name}_seconds`,
          LATENCY_HELP[name],
          () => latest()?.totals.latency[name] ?? null,
        ),
      );
    }
    new client.Counter({
      name: "iotload_generator_cpu_seconds_total",
      help: "CPU time iotload used since the run started (user + system)",
      registers,
      collect() {
        this.reset();
        this.inc(latest()?.health.cpuSeconds ?? 0);
      },
    });
    new client.Gauge({
      name: "iotload_generator_rss_bytes",
      help: "Resident memory of the iotload process",
      registers,
      collect() {
        this.set(latest()?.health.rssBytes ?? 0);
      },
    });
    new client.Gauge({
      name: "iotload_generator_event_loop_lag_seconds",
      help: "Largest event-loop lag of iotload within the last second",
      registers,
      collect() {
        this.set((latest()?.health.eventLoopLagMs ?? 0) / 1000);
      },
    });
    new client.Gauge({
      name: "iotload_run_info",
      help: "The run: its id, phase and stage (1 while the run goes)",
      labelNames: ["run_id", "phase", "stage"],
      registers,
      collect() {
        this.reset();
        const fact = latest();
        this.set({
          run_id: fact?.runId ?? "",
          phase: fact?.phase ?? "starting",
          stage: fact?.stage ?? "",
        }, 1);
      },
    });
  }

  /** The media type of {@linkcode text}. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** Follows a run's facts: each second replaces the totals. */
  onFact(fact: RunFact): void {
    if (fact.kind === "second") this.#latest = fact;
  }

  /** Every metric in the Prometheus text format. */
  text(): Promise<string> {
    return this.#registry.metrics();
  }
}

/**
 * A Prometheus histogram read from cumulative buckets at scrape time (prom-client's
 * own Histogram records each value; here the run's HDR histograms already hold them).
 */
function latencyHistogram(
  name: string,
  help: string,
  read: () => LatencyBuckets | null,
): client.Metric {
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    get: () => {
      const buckets = read();
      const counts = buckets?.counts ?? LATENCY_BUCKET_BOUNDS_SECONDS.map(() => 0);
      const count = buckets?.count ?? 0;
      return Promise.resolve({
        name,
        help,
        type: "histogram",
        aggregator: "sum",
        values: [
          ...LATENCY_BUCKET_BOUNDS_SECONDS.map((le, index) => ({
            metricName: `${name}_bucket`,
            labels: { le: String(le) },
            value: counts[index],
          })),
          { metricName: `${name}_bucket`, labels: { le: "+Inf" }, value: count },
          { metricName: `${name}_sum`, labels: {}, value: buckets?.sumSeconds ?? 0 },
          { metricName: `${name}_count`, labels: {}, value: count },
        ],
      });
    },
  };
  return metric as unknown as client.Metric;
}
