import { applyOverrides } from "../config/apply_overrides.ts";
import { overridesFromEnv, unknownEnvWarnings } from "../config/env_overrides.ts";
import { DEFAULT_SCENARIO } from "../config/scenario.ts";
import { loadScenarioFile } from "../config/scenario_file.ts";
import { loadTlsFiles } from "../config/tls_files.ts";
import { UsageError } from "../config/usage_error.ts";
import { payloadTemplateProblems } from "../fleet/payload_template.ts";
import { LiveView } from "../report/live_view.ts";
import type { Summary } from "../report/summary.ts";
import { checkWritable, writeFileAtomic } from "../report/summary_file.ts";
import { formatSummaryTable } from "../report/summary_table.ts";
import { evaluateThresholds, parseThreshold } from "../report/thresholds.ts";
import { EXIT } from "./exit_codes.ts";
import { executeRun } from "./execute_run.ts";
import { parseFlags } from "./flag_parser.ts";
import { formatRunHelp } from "./help.ts";
import { denoPermissionQuery, PERMISSION_HINT, permissionProblems } from "./permission_check.ts";
import { checkHostLimits, countOpenableFiles } from "./host_limits.ts";
import { listenForInterrupts } from "./interrupts.ts";
import { RUN_FLAG_SPECS, RUN_FLAGS } from "./run_flags.ts";
import type { TerminalIo } from "./terminal_io.ts";

/** Settings `IOTLOAD_*` variables may set: every run flag but help, debug and scenario. */
const ENV_SETTINGS: ReadonlyMap<string, "string" | "boolean"> = new Map(
  RUN_FLAGS.filter((flag) => !["help", "debug", "scenario"].includes(flag.name)).map((
    flag,
  ) => [flag.name, flag.type]),
);

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
  for (const warning of unknownEnvWarnings(io.env, ENV_SETTINGS)) {
    io.stderr.write(`warning: ${warning}\n`);
  }
  const scenarioPath = typeof values.scenario === "string"
    ? values.scenario
    : io.env.IOTLOAD_SCENARIO;
  const base = scenarioPath === undefined
    ? DEFAULT_SCENARIO
    : await loadScenarioFile(scenarioPath, io.env);
  const scenario = applyOverrides(base, [
    { values: overridesFromEnv(io.env, ENV_SETTINGS), source: "env" },
    { values, source: "flag" },
  ]);
  // Faker methods and JSON validity are the fleet's to check: before anything starts.
  const templateProblems = payloadTemplateProblems(
    scenario,
    values["payload-template"] !== undefined ? () => "--payload-template" : undefined,
  );
  if (templateProblems.length > 0) throw new UsageError(templateProblems.join("\n"));
  const thresholds = scenario.thresholds.map(parseThreshold);
  const tls = await loadTlsFiles(scenario);
  const notPermitted = permissionProblems(scenario, denoPermissionQuery);
  if (notPermitted.length > 0) throw new UsageError(notPermitted.join("\n"), PERMISSION_HINT);
  if (scenario.outPath !== null) checkWritable(scenario.outPath);
  for (const warning of checkHostLimits(scenario, countOpenableFiles)) {
    io.stderr.write(`warning: ${warning}\n`);
  }

  const live = new LiveView({ sink: io.stderr, isTerminal: io.stderrIsTerminal, color: io.color });
  const interrupt = new AbortController();
  let summarise: (() => Summary) | null = null;
  const finishSummary = (summary: Summary) => {
    summary.thresholds = evaluateThresholds(thresholds, summary);
    emitSummary(summary, scenario.json, scenario.outPath, io);
    return summary;
  };
  using _interrupts = listenForInterrupts(() => interrupt.abort(), () => {
    // A second Ctrl-C: exit at once, still writing what was measured.
    live.finish();
    if (summarise !== null) finishSummary(summarise());
    io.exit(EXIT.INTERRUPTED);
  });
  const result = await executeRun(scenario, {
    note: (line) => io.stderr.write(`${line}\n`),
    live,
    interrupt: interrupt.signal,
    version: io.version,
    tls,
    onProgress: (summariser) => summarise = summariser,
  });
  const summary = finishSummary(result.summary);
  if (result.abortReason !== null) {
    io.stderr.write(
      `error: cannot connect to ${summary.broker.url}: ${result.abortReason.message}\n`,
    );
    io.stderr.write(`hint: ${hintFor(result.abortReason.category, summary.broker.embedded)}\n`);
    return summary.interrupted ? EXIT.INTERRUPTED : EXIT.BROKER_UNREACHABLE;
  }
  if (summary.interrupted) return EXIT.INTERRUPTED;
  return summary.thresholds.every((threshold) => threshold.ok) ? EXIT.OK : EXIT.THRESHOLD_FAILED;
}

/** Prints the summary (table or JSON) and writes `--out`; used for hard exits too. */
export function emitSummary(
  summary: Summary,
  json: boolean,
  outPath: string | null,
  io: TerminalIo,
): void {
  const jsonText = `${JSON.stringify(summary, null, 2)}\n`;
  io.stdout.write(json ? jsonText : formatSummaryTable(summary, { color: io.color }));
  if (outPath !== null) {
    try {
      writeFileAtomic(outPath, jsonText);
    } catch (error) {
      io.stderr.write(
        `error: cannot write --out ${JSON.stringify(outPath)}: ${(error as Error).message}\n`,
      );
    }
  }
}

function hintFor(category: string, embedded: boolean): string {
  switch (category) {
    case "notAuthorized":
    case "badCredentials":
      return "check --username/--password (or IOTLOAD_PASSWORD) and the broker's access rules";
    case "connectTimeout":
      return "check the host, port and firewall, or raise --connect-timeout";
    case "networkError":
      return "check the URL, and the TLS files (--ca, --cert, --key) for mqtts:// and wss://";
    default:
      return embedded
        ? "the embedded broker failed to accept connections; run again with --debug"
        : "start a broker (docker compose up -d) or omit --url to use the embedded one";
  }
}
