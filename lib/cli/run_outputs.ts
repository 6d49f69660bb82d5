/**
 * The outputs a run streams while it goes, opened before it starts (so a bad path or
 * a busy port is a usage error before anything connects) and closed after the
 * summary: the `--timeline` file and the `--prometheus` endpoint.
 *
 * @module
 */
import type { Scenario } from "../config/scenario.ts";
import { UsageError } from "../config/usage_error.ts";
import type { FactStream } from "../metrics/facts.ts";
import { checkWritable, openAppendSink } from "../report/summary_file.ts";
import { TimelineFile, timelineFormatOf } from "../report/timeline_file.ts";
import type { TerminalIo } from "./terminal_io.ts";

/**
 * Checks every output path and address of `scenario` (`--out`, `--html`, `--timeline`,
 * `--prometheus`), then
 * opens the streamed outputs and subscribes them to `facts`. Dispose of the result
 * once the summary is out.
 */
export async function openRunOutputs(
  scenario: Scenario,
  facts: FactStream,
  io: TerminalIo,
): Promise<AsyncDisposable> {
  if (scenario.outPath !== null) checkWritable(scenario.outPath);
  if (scenario.htmlPath !== null) checkWritable(scenario.htmlPath, "--html");
  const timelinePath = scenario.timelinePath;
  const timelineFormat = timelinePath === null ? null : timelineFormatOf(timelinePath);
  if (timelinePath !== null) {
    if (timelineFormat === null) {
      throw new UsageError(
        `--timeline: ${JSON.stringify(timelinePath)} names no format`,
        "end the file name in .ndjson, .jsonl or .csv",
      );
    }
    checkWritable(timelinePath, "--timeline");
  }
  // Loaded only for a run that serves it: prom-client is memory every other run does without.
  const prometheus = scenario.prometheusListen === null ? null : await Promise.all([
    import("../report/prometheus_exporter.ts"),
    import("../report/prometheus_endpoint.ts"),
  ]);
  const exporter = prometheus === null ? null : new prometheus[0].PrometheusExporter();
  const endpoint = prometheus === null
    ? null
    : prometheus[1].servePrometheus(scenario.prometheusListen!, exporter!);
  let timelineFile;
  try {
    timelineFile = timelinePath === null ? null : openAppendSink(timelinePath);
  } catch (error) {
    await endpoint?.[Symbol.asyncDispose]();
    throw error;
  }
  if (timelineFile !== null) {
    const timeline = new TimelineFile(timelineFormat!, timelineFile.append);
    facts.subscribe((fact) => timeline.onFact(fact));
  }
  if (exporter !== null) {
    facts.subscribe((fact) => exporter.onFact(fact));
    io.stderr.write(`note: Prometheus metrics at ${endpoint!.url}\n`);
  }
  return {
    [Symbol.asyncDispose]: async () => {
      timelineFile?.[Symbol.dispose]();
      await endpoint?.[Symbol.asyncDispose]();
    },
  };
}
