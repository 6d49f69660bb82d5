import { applyOverrides } from "../config/apply_overrides.ts";
import { parseDurationMs } from "../config/duration.ts";
import { DEFAULT_SCENARIO } from "../config/scenario.ts";
import { MAX_SHARDS } from "../config/shard.ts";
import { loadTlsFiles } from "../config/tls_files.ts";
import { UsageError } from "../config/usage_error.ts";
import {
  collectResults,
  ResultExchangeError,
  resultsFilter,
  resultTopic,
} from "../engine/result_exchange.ts";
import type { Summary } from "../metrics/summary.ts";
import { renderHtmlReport } from "../report/html/html_report.ts";
import { mergeShardSummaries, type ShardInput } from "../report/merge/merge_summaries.ts";
import { checkWritable, writeFileAtomic } from "../report/summary_file.ts";
import { checkSummary, readSummaryFile } from "../report/summary_reader.ts";
import { formatSummaryTable } from "../report/summary_table.ts";
import { evaluateThresholds, parseThreshold, thresholdProblems } from "../report/thresholds.ts";
import { EXIT } from "./exit_codes.ts";
import { parseFlags } from "./flag_parser.ts";
import type { TerminalIo } from "./terminal_io.ts";

const MERGE_FLAGS = {
  out: { type: "string", short: "o" },
  json: { type: "boolean" },
  html: { type: "string" },
  threshold: { type: "string", multiple: true },
  from: { type: "string" },
  run: { type: "string" },
  shards: { type: "string" },
  wait: { type: "string" },
  username: { type: "string", short: "u" },
  password: { type: "string", short: "P" },
  "protocol-version": { type: "string", short: "V" },
  ca: { type: "string" },
  insecure: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const MERGE_HELP = `Usage: iotload merge SHARD.json... [flags]
       iotload merge --from URL --run ID --shards N [flags]

Merges the results of one run's shards (iotload run --shard I/N) into one summary of
the same schema, plus a shards section: counters added, latency histograms added
exactly, timelines aligned on the wall clock, loss reconciled per sensor across every
shard's probe. Thresholds are judged on the merged result. Refuses results of
different runs or scenarios; a missing shard makes the result incomplete (exit 1).

Flags:
  -o, --out FILE       write the merged JSON summary to FILE (atomically)
  --json               print the merged summary as JSON instead of the table
  --html FILE          write the HTML report of the merged run to FILE
  --threshold EXPR     judge EXPR on the merged result, e.g. 'lost==0' (repeatable)
  --from URL           collect the results the shards published (--publish-result)
                       from the broker at URL, instead of files
  --run ID             the run id whose results to collect (with --from)
  --shards N           how many results to wait for (with --from)
  --wait DURATION      how long to wait for them all (default: 5m)
  -u, --username NAME  MQTT username for --from
  -P, --password SECRET  MQTT password for --from (or IOTLOAD_PASSWORD)
  -V, --protocol-version 4|5  MQTT version for --from (default: 5)
  --ca FILE, --insecure  TLS for an mqtts:// or wss:// --from
  -h, --help           show this help
`;

/** Default wait for every shard's result with `--from`, in ms. */
const DEFAULT_WAIT_MS = 5 * 60_000;

/**
 * `iotload merge`: prints the merged summary and returns 0, 1 (a threshold failed or a
 * shard is missing), or 3 (the broker of `--from` could not be reached).
 */
export async function mergeCommand(argv: readonly string[], io: TerminalIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, MERGE_FLAGS);
  if (values.help === true) {
    io.stdout.write(MERGE_HELP);
    return EXIT.OK;
  }
  const expressions = (values.threshold ?? []) as string[];
  const problems = thresholdProblems(expressions, "--threshold");
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  const thresholds = expressions.map(parseThreshold);
  const outPath = typeof values.out === "string" ? values.out : null;
  const htmlPath = typeof values.html === "string" ? values.html : null;
  if (outPath !== null) checkWritable(outPath, "--out");
  if (htmlPath !== null) checkWritable(htmlPath, "--html");
  let inputs: ShardInput[];
  if (typeof values.from === "string") {
    if (positionals.length > 0) {
      throw new UsageError("merge: give result files or --from, not both");
    }
    const collected = await collectFromBroker(values, io);
    if (collected === null) return EXIT.BROKER_UNREACHABLE;
    inputs = collected;
  } else {
    if (positionals.length === 0) {
      throw new UsageError(
        "merge takes the shards' summary files, or --from URL --run ID --shards N",
        "iotload merge shard-0.json shard-1.json shard-2.json (each from iotload run --shard I/N --out FILE)",
      );
    }
    inputs = await Promise.all(
      positionals.map(async (path) => ({
        source: JSON.stringify(path),
        summary: await readSummaryFile(path, "SHARD"),
      })),
    );
  }
  const { summary, warnings } = mergeShardSummaries(inputs);
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  summary.thresholds = evaluateThresholds(thresholds, summary);
  const shards = summary.shards!;
  if (shards.incomplete) {
    io.stderr.write(
      `error: incomplete: no result of shard(s) ${shards.missing.join(", ")} of ${shards.count}; ` +
        `the merged counts cover ${shards.merged.length} of ${shards.count} shards\n`,
    );
  }
  emit(summary, values.json === true, outPath, htmlPath, io);
  if (shards.incomplete) return EXIT.THRESHOLD_FAILED;
  return summary.thresholds.every((result) => result.ok) ? EXIT.OK : EXIT.THRESHOLD_FAILED;
}

function emit(
  summary: Summary,
  json: boolean,
  outPath: string | null,
  htmlPath: string | null,
  io: TerminalIo,
): void {
  const jsonText = `${JSON.stringify(summary, null, 2)}\n`;
  io.stdout.write(json ? jsonText : formatSummaryTable(summary, { color: io.color }));
  if (outPath !== null) writeFileAtomic(outPath, jsonText);
  if (htmlPath !== null) writeFileAtomic(htmlPath, renderHtmlReport(summary));
}

/** The shards' results from the broker; null (an `error:` printed) when it cannot be reached. */
async function collectFromBroker(
  values: Record<string, unknown>,
  io: TerminalIo,
): Promise<ShardInput[] | null> {
  const runId = values.run;
  const shardsText = values.shards;
  if (typeof runId !== "string" || typeof shardsText !== "string") {
    throw new UsageError("merge --from needs --run ID and --shards N");
  }
  const shards = Number(shardsText);
  if (!/^\d+$/.test(shardsText) || shards < 1 || shards > MAX_SHARDS) {
    throw new UsageError(
      `--shards: expected 1 to ${MAX_SHARDS}, got ${JSON.stringify(shardsText)}`,
    );
  }
  const waitMs = typeof values.wait === "string"
    ? parseDurationMs(values.wait, "--wait")
    : DEFAULT_WAIT_MS;
  const password = typeof values.password === "string" ? values.password : io.env.IOTLOAD_PASSWORD;
  const scenario = applyOverrides(DEFAULT_SCENARIO, [{
    source: "flag",
    values: {
      url: values.from as string,
      "run-id": runId,
      username: values.username as string | undefined,
      password,
      "protocol-version": values["protocol-version"] as string | undefined,
      ca: values.ca as string | undefined,
      insecure: values.insecure as boolean | undefined,
    },
  }]);
  const tls = await loadTlsFiles(scenario);
  io.stderr.write(
    `note: collecting ${shards} result(s) of run ${runId} from ${
      resultsFilter(runId)
    } (waiting up to ${Math.round(waitMs / 1000)} s)\n`,
  );
  try {
    const { results, unreadable } = await collectResults(
      { scenario, tls },
      runId,
      shards,
      waitMs,
      (have) => io.stderr.write(`note: ${have}/${shards} results\n`),
    );
    for (const topic of unreadable) {
      io.stderr.write(`warning: ${topic} holds no iotload result; it is ignored\n`);
    }
    if (results.size === 0) {
      throw new UsageError(
        `no result of run ${runId} on the broker within ${Math.round(waitMs / 1000)} s`,
        "the shards publish theirs with iotload run --publish-result --run-id ID",
      );
    }
    const inputs = [...results].map(([index, value]) => {
      const source = resultTopic(runId, index);
      return { source, summary: checkSummary(value, source) };
    });
    const counted = inputs.find((input) => input.summary.shard?.count !== shards);
    if (counted?.summary.shard !== undefined) {
      throw new UsageError(
        `--shards ${shards}: ${counted.source} is shard ${counted.summary.shard.index} of ${counted.summary.shard.count}`,
      );
    }
    return inputs;
  } catch (error) {
    if (!(error instanceof ResultExchangeError)) throw error;
    io.stderr.write(`error: cannot collect results from ${scenario.url}: ${error.message}\n`);
    return null;
  }
}
