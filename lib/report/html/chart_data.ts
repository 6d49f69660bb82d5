/**
 * What the HTML report's charts draw, read off a summary: series over the run's
 * seconds from its timeline, and the latency percentile distribution from its HDR
 * histograms.
 *
 * @module
 */
import { LatencyHistogram } from "../../metrics/histogram.ts";
import type { Summary } from "../../metrics/summary.ts";

/** One line of a chart. */
export interface ChartSeries {
  /** Its name in the legend. */
  readonly label: string;
  /** Its colour, `#rrggbb`. */
  readonly color: string;
  /** `y2` for the right-hand axis. */
  readonly scale?: "y2";
}

/** One chart, as the report's script draws it with uPlot. */
export interface ChartSpec {
  /** The id of the element it is drawn into. */
  readonly id: string;
  /** Its heading. */
  readonly title: string;
  /** What the x axis shows. */
  readonly xLabel: string;
  /** What the left y axis shows. */
  readonly yLabel: string;
  /** What the right y axis shows, when a series uses it. */
  readonly y2Label?: string;
  /** The x axis counts nines (percentiles: 90%, 99%, 99.9%). */
  readonly xLog?: boolean;
  /** The lines after x. */
  readonly series: readonly ChartSeries[];
  /** uPlot's columns: x values, then one column per series (null: no value). */
  readonly data: readonly (readonly (number | null)[])[];
}

const PALETTE = ["#1f6feb", "#d9480f", "#2f9e44", "#ae3ec9", "#e8590c", "#0c8599", "#5c940d"];
const DISTRIBUTION_PERCENTILES = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999];
const DISTRIBUTION_LATENCIES = ["connect", "ack", "e2e", "lateness"] as const;

/** Every chart of the report for `summary`, in page order. */
export function chartsOf(summary: Summary): ChartSpec[] {
  const timeline = summary.timeline;
  const t = timeline.map((point) => point.t);
  const column = (read: (point: Summary["timeline"][number]) => number | undefined) =>
    timeline.map((point) => read(point) ?? null);
  const categories = [
    ...new Set(timeline.flatMap((point) => Object.keys(point.errorsByCategory ?? {}))),
  ].sort();
  const errorSeries = categories.length === 0 ? ["errors"] : categories;
  return [
    {
      id: "chart-connections",
      title: "Connections",
      xLabel: "s",
      yLabel: "connected",
      series: [{ label: "connected", color: PALETTE[0] }],
      data: [t, column((p) => p.connected)],
    },
    {
      id: "chart-messages",
      title: "Messages per second",
      xLabel: "s",
      yLabel: "msg/s",
      series: [
        { label: "sent", color: PALETTE[0] },
        { label: "acked", color: PALETTE[1] },
        { label: "received", color: PALETTE[2] },
      ],
      data: [t, column((p) => p.sent), column((p) => p.acked), column((p) => p.received)],
    },
    {
      id: "chart-latency",
      title: "Ack and end-to-end latency per second (p50, p99)",
      xLabel: "s",
      yLabel: "ms",
      series: [
        { label: "e2e p50", color: PALETTE[2] },
        { label: "e2e p99", color: PALETTE[3] },
        { label: "ack p50", color: PALETTE[0] },
        { label: "ack p99", color: PALETTE[1] },
      ],
      data: [
        t,
        column((p) => p.e2eP50Ms),
        column((p) => p.e2eP99Ms),
        column((p) => p.ackP50Ms),
        column((p) => p.ackP99Ms),
      ],
    },
    {
      id: "chart-errors",
      title: "Errors per second by category",
      xLabel: "s",
      yLabel: "errors/s",
      series: errorSeries.map((label, index) => ({
        label,
        color: PALETTE[(index + 1) % PALETTE.length],
      })),
      data: [
        t,
        ...errorSeries.map((category) =>
          categories.length === 0
            ? column((p) => p.errors)
            : column((p) => p.errorsByCategory?.[category] ?? 0)
        ),
      ],
    },
    {
      id: "chart-generator",
      title: "Generator: CPU and event-loop lag",
      xLabel: "s",
      yLabel: "CPU % of one core",
      y2Label: "lag ms",
      series: [
        { label: "CPU %", color: PALETTE[0] },
        { label: "event-loop lag ms", color: PALETTE[1], scale: "y2" },
      ],
      data: [t, column((p) => p.cpuPercent), column((p) => p.eventLoopLagMs)],
    },
    distributionChart(summary),
  ];
}

/** The percentile distribution of each latency the run measured (x: nines). */
function distributionChart(summary: Summary): ChartSpec {
  const measured = DISTRIBUTION_LATENCIES.filter((name) =>
    typeof summary.histograms?.[name] === "string" && summary.latencyMs[name].count > 0
  );
  const shown = measured.length === 0 ? (["e2e"] as const) : measured;
  const x = DISTRIBUTION_PERCENTILES.map((p) => -Math.log10(1 - p / 100));
  return {
    id: "chart-distribution",
    title: "Latency percentile distribution (whole run)",
    xLabel: "percentile",
    yLabel: "ms",
    xLog: true,
    series: shown.map((name, index) => ({ label: name, color: PALETTE[index % PALETTE.length] })),
    data: [
      x,
      ...shown.map((name) => {
        const encoded = summary.histograms?.[name];
        if (typeof encoded !== "string" || encoded === "") return x.map(() => 0);
        const histogram = LatencyHistogram.decode(encoded);
        return DISTRIBUTION_PERCENTILES.map((p) => Math.round(histogram.percentileUs(p)) / 1000);
      }),
    ],
  };
}
