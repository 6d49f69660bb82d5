import { applyOverrides } from "../config/apply_overrides.ts";
import { overridesFromEnv, unknownEnvWarnings } from "../config/env_overrides.ts";
import { DEFAULT_SCENARIO, type Scenario } from "../config/scenario.ts";
import { loadScenarioFile } from "../config/scenario_file.ts";
import { loadTlsFiles, type TlsFiles } from "../config/tls_files.ts";
import { publishResult, ResultExchangeError, resultTopic } from "../engine/result_exchange.ts";
import { UsageError } from "../config/usage_error.ts";
import { startRun } from "../engine/run.ts";
import type { RunHandle, RunResult } from "../engine/run_options.ts";
import { runProblems } from "../engine/run_checks.ts";
import { resolveWorkerCount } from "../engine/worker_count.ts";
import { FactStream } from "../metrics/facts.ts";
import type { Summary } from "../metrics/summary.ts";
import { renderHtmlReport } from "../report/html/html_report.ts";
import { LiveView } from "../report/live_view.ts";
import { writeFileAtomic } from "../report/summary_file.ts";
import { formatSummaryTable } from "../report/summary_table.ts";
import { runHints } from "../report/run_hints.ts";
import { failsForGood, ThresholdWatch } from "../report/threshold_watch.ts";
import { evaluateThresholds, parseThreshold, thresholdProblems } from "../report/thresholds.ts";
import { EXIT } from "./exit_codes.ts";
import { parseFlags } from "./flag_parser.ts";
import { formatRunHelp } from "./help.ts";
import { checkHostLimits, countOpenableFiles } from "./host_limits.ts";
import { listenForInterrupts } from "./interrupts.ts";
import { denoPermissionQuery, PERMISSION_HINT, permissionProblems } from "./permission_check.ts";
import { RUN_FLAG_SPECS } from "./run_flags.ts";
import { openRunOutputs } from "./run_outputs.ts";
import { waitForStart } from "./start_wait.ts";
import { systemSeams } from "./system_seams.ts";
import type { TerminalIo } from "./terminal_io.ts";

/**
 * `iotload run [flags]`: validates everything first (exit 2 on any problem), runs the
 * load test, prints the live view on stderr and the summary on stdout (or JSON with
 * `--json`), writes `--out`, and returns the exit code.
 */
export async function runCommand(argv: readonly string[], io: TerminalIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, RUN_FLAG_SPECS);
  if (values.help === true) {
    io.stdout.write(formatRunHelp());
    return EXIT.OK;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[0])}`,
      "run with --help to see every flag",
    );
  }
  for (const warning of unknownEnvWarnings(io.env)) {
    io.stderr.write(`warning: ${warning}\n`);
  }
  const scenarioPath = typeof values.scenario === "string"
    ? values.scenario
    : io.env.IOTLOAD_SCENARIO;
  const base = scenarioPath === undefined
    ? DEFAULT_SCENARIO
    : await loadScenarioFile(scenarioPath, io.env);
  const envValues = overridesFromEnv(io.env);
  const scenario = applyOverrides(base, [
    { values: envValues, source: "env" },
    { values, source: "flag" },
  ]);
  // What only the run can judge (MQTT's limits, templates compiled as the fleet will),
  // and every malformed threshold by where it came from: all together, up front.
  const problems = [
    ...runProblems(
      scenario,
      values["payload-template"] !== undefined ? () => "--payload-template" : undefined,
    ),
    ...thresholdProblems(base.thresholds.map((spec) => spec.expression), "thresholds"),
    ...thresholdProblems(asList(envValues.threshold), "IOTLOAD_THRESHOLD"),
    ...thresholdProblems(asList(values.threshold), "--threshold"),
  ];
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  const thresholds = scenario.thresholds.map((spec) => parseThreshold(spec.expression));
  const watched = thresholds.filter((_, index) =>
    scenario.abortOnFail || scenario.thresholds[index].abortOnFail
  );
  for (const threshold of watched.filter((watch) => !failsForGood(watch))) {
    io.stderr.write(
      `warning: abort on fail: ${threshold.expression} is judged at the end only; it may ` +
        "still change (only counts that only grow, past an upper limit, fail for good)\n",
    );
  }
  const tls = await loadTlsFiles(scenario);
  const notPermitted = permissionProblems(scenario, denoPermissionQuery);
  if (notPermitted.length > 0) throw new UsageError(notPermitted.join("\n"), PERMISSION_HINT);
  // The embedded broker serves a fleet on this thread through in-memory streams (no
  // descriptors); fleet threads reach it on its own thread over loopback TCP instead.
  const embeddedInMemory = scenario.url === null &&
    resolveWorkerCount(scenario, navigator.hardwareConcurrency) === 1;
  const kind = scenario.url !== null
    ? "remote"
    : embeddedInMemory
    ? "embeddedMemory"
    : "embeddedTcp";
  for (const warning of checkHostLimits(scenario, countOpenableFiles, kind)) {
    io.stderr.write(`warning: ${warning}\n`);
  }

  const live = new LiveView({
    sink: io.stderr,
    isTerminal: io.stderrIsTerminal,
    color: io.color,
    widthColumns: io.columns ?? 80,
  });
  const facts = new FactStream();
  facts.subscribe((fact) => live.onFact(fact));
  await using _outputs = await openRunOutputs(scenario, facts, io);
  const interrupt = new AbortController();
  const stop = new AbortController();
  let stoppedBy: string | null = null;
  if (watched.length > 0) {
    const watch = new ThresholdWatch(watched, ({ result, tSec }) => {
      stoppedBy = `threshold ${result.expression} failed at ${tSec}s (${result.actual})`;
      facts.emit({ kind: "note", text: `note: ${stoppedBy}: stopping the run (abort on fail)` });
      stop.abort();
    });
    facts.subscribe((fact) => watch.onFact(fact));
  }
  let run: RunHandle | null = null;
  const finishSummary = (summary: Summary) => {
    summary.thresholds = evaluateThresholds(thresholds, summary);
    if (stoppedBy !== null) summary.aborted ??= stoppedBy;
    emitSummary(summary, scenario, io);
    return summary;
  };
  using _interrupts = listenForInterrupts(() => interrupt.abort(), () => {
    // A second Ctrl-C: exit at once, still writing what was measured.
    live.finish();
    if (run !== null) finishSummary(run.summarise());
    io.exit(EXIT.INTERRUPTED);
  });
  const startAtEpochMs = scenario.startAt === null
    ? undefined
    : await waitForStart(scenario.startAt, interrupt.signal, io.stderr);
  if (startAtEpochMs === null) {
    live.finish();
    io.stderr.write("note: interrupted before --start-at: nothing ran\n");
    return EXIT.INTERRUPTED;
  }
  // aedes is loaded only for the runs that use it: memory a run against a broker keeps.
  const broker = scenario.url === null ? await import("../broker/embedded_broker.ts") : null;
  const inProcess = broker !== null && embeddedInMemory
    ? await broker.startInProcessBroker()
    : null;
  const embedded = inProcess ?? (broker === null ? null : await broker.startEmbeddedBroker());
  let result: RunResult;
  try {
    const url = embedded?.url ?? scenario.url!;
    if (embedded !== null) {
      facts.emit({
        kind: "note",
        text:
          `note: no --url given: started the embedded broker (aedes) at ${url}; it measures iotload, not your broker`,
      });
    }
    run = startRun(scenario, {
      seams: systemSeams(),
      broker: {
        url,
        embedded: embedded !== null,
        openStream: inProcess?.openStream,
      },
      tls,
      interrupt: interrupt.signal,
      stop: stop.signal,
      version: io.version,
      startAtEpochMs,
    }, facts);
    result = await run.result;
  } finally {
    live.finish();
    await embedded?.stop();
  }
  const summary = finishSummary(result.summary);
  for (const hint of runHints(summary)) io.stderr.write(`hint: ${hint}\n`);
  const published = scenario.publishResult
    ? await publishSummary(summary, scenario, tls, io)
    : true;
  if (result.abortReason !== null) {
    io.stderr.write(
      result.abortReason.category === "probeUndelivered"
        ? `error: ${result.abortReason.message}\n`
        : `error: cannot connect to ${summary.broker.url}: ${result.abortReason.message}\n`,
    );
    const hint = hintFor(
      result.abortReason.category,
      summary.broker.embedded,
      summary.config.protocolVersion,
    );
    io.stderr.write(`hint: ${hint}\n`);
    return summary.interrupted ? EXIT.INTERRUPTED : EXIT.BROKER_UNREACHABLE;
  }
  if (summary.interrupted) return EXIT.INTERRUPTED;
  if (!published) return EXIT.BROKER_UNREACHABLE;
  return summary.thresholds.every((threshold) => threshold.ok) ? EXIT.OK : EXIT.THRESHOLD_FAILED;
}

/** How long publishing the result may take, in ms. */
const PUBLISH_RESULT_TIMEOUT_MS = 10_000;

/** `--publish-result`: the summary to the broker for `iotload merge --from`; false on failure. */
async function publishSummary(
  summary: Summary,
  scenario: Scenario,
  tls: TlsFiles,
  io: TerminalIo,
): Promise<boolean> {
  const index = scenario.shard?.index ?? 0;
  try {
    const bytes = await publishResult(
      { scenario, tls },
      summary.runId,
      index,
      summary,
      PUBLISH_RESULT_TIMEOUT_MS,
    );
    io.stderr.write(
      `note: result published to ${resultTopic(summary.runId, index)} (${bytes} bytes, retained)\n`,
    );
    return true;
  } catch (error) {
    if (!(error instanceof ResultExchangeError)) throw error;
    io.stderr.write(`error: --publish-result: ${error.message}\n`);
    return false;
  }
}

/**
 * Prints the summary (table or JSON) and writes `--out` and `--html`; used for hard
 * exits too.
 */
function emitSummary(summary: Summary, scenario: Scenario, io: TerminalIo): void {
  const jsonText = `${JSON.stringify(summary, null, 2)}\n`;
  io.stdout.write(scenario.json ? jsonText : formatSummaryTable(summary, { color: io.color }));
  const files: [string, string | null, () => string][] = [
    ["--out", scenario.outPath, () => jsonText],
    ["--html", scenario.htmlPath, () => renderHtmlReport(summary)],
  ];
  for (const [flag, path, text] of files) {
    if (path === null) continue;
    try {
      writeFileAtomic(path, text());
    } catch (error) {
      io.stderr.write(
        `error: cannot write ${flag} ${JSON.stringify(path)}: ${(error as Error).message}\n`,
      );
    }
  }
}

/** One action that follows from what was observed: the category, the protocol, the broker. */
function hintFor(category: string, embedded: boolean, protocolVersion: unknown): string {
  const mqtt5 = protocolVersion === 5;
  switch (category) {
    case "notAuthorized":
    case "badCredentials":
      return "check --username/--password (or IOTLOAD_PASSWORD) and the broker's access rules";
    case "protocolUnsupported":
      return mqtt5
        ? "the broker does not speak MQTT 5: run with -V 4 (--protocol-version 4)"
        : "the broker does not accept MQTT 3.1.1: run with -V 5 (--protocol-version 5)";
    case "connectTimeout":
      return mqtt5
        ? "check the host, port and firewall, or raise --connect-timeout; a broker that speaks only MQTT 3.1.1 may leave an MQTT 5 CONNECT unanswered: try -V 4"
        : "check the host, port and firewall, or raise --connect-timeout";
    case "probeUndelivered":
      return "run with --no-probe to load the broker without measuring delivery, or fix the cause above";
    case "networkError":
      return "check the URL, and the TLS files (--ca, --cert, --key) for mqtts:// and wss://";
    case "brokerRefused":
    case "serverUnavailable":
      return "the broker answered and refused (the reason above): check its configuration and limits";
    default:
      return embedded
        ? "the embedded broker failed to accept connections; run again with --debug"
        : "start a broker (docker compose up -d) or omit --url to use the embedded one";
  }
}

function asList(value: string | boolean | readonly string[] | undefined): readonly string[] {
  if (value === undefined || typeof value === "boolean") return [];
  return typeof value === "string" ? [value] : value;
}
