import { UsageError } from "../config/usage_error.ts";
import { compareSummaries, parseFailOn } from "../report/compare.ts";
import { formatComparisonTable } from "../report/compare_table.ts";
import { readSummaryFile } from "../report/summary_reader.ts";
import { EXIT } from "./exit_codes.ts";
import { parseFlags } from "./flag_parser.ts";
import type { TerminalIo } from "./terminal_io.ts";

const COMPARE_FLAGS = {
  noise: { type: "string" },
  json: { type: "boolean" },
  "fail-on": { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

const COMPARE_HELP = `Usage: iotload compare BASE.json NEW.json [flags]

Compares two saved summaries (iotload run --out FILE): rates, connect/ack/e2e/lateness
p50, p99 and p99.9 (from the HDR histograms), loss, errors by category, generator CPU
and memory, each with its change; a change beyond the noise band is a regression or
an improvement. Warns when the runs' settings differ.

Flags:
  --noise PERCENT   changes within ±PERCENT are noise (default: 5%)
  --json            print the comparison as JSON
  --fail-on GATE    exit 1 when the change passes GATE, e.g. 'e2e.p99>+10%' or
                    'rates.sentPerSec<-5%' (metrics as in --threshold; repeatable)
  -h, --help        show this help
`;

/**
 * `iotload compare BASE.json NEW.json`: prints the comparison (a table, or JSON with
 * `--json`) and returns 1 when a `--fail-on` gate fails, 0 otherwise.
 */
export async function compareCommand(argv: readonly string[], io: TerminalIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, COMPARE_FLAGS);
  if (values.help === true) {
    io.stdout.write(COMPARE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      "compare takes two summary files",
      "iotload compare base.json new.json (each written by iotload run --out FILE)",
    );
  }
  const noisePct = parseNoise(values.noise);
  const gates = ((values["fail-on"] ?? []) as string[]).map(parseFailOn);
  const [base, next] = await Promise.all([
    readSummaryFile(positionals[0], "BASE"),
    readSummaryFile(positionals[1], "NEW"),
  ]);
  const comparison = compareSummaries(base, next, noisePct, gates);
  if (comparison.settingsDiffer.length > 0) {
    io.stderr.write(
      `warning: the runs differ in ${comparison.settingsDiffer.length} setting(s), so ` +
        `changes may come from them: ${comparison.settingsDiffer.join("; ")}\n`,
    );
  }
  io.stdout.write(
    values.json === true
      ? `${JSON.stringify(comparison, null, 2)}\n`
      : formatComparisonTable(comparison, io.color),
  );
  return comparison.failOn.every((gate) => gate.ok) ? EXIT.OK : EXIT.THRESHOLD_FAILED;
}

function parseNoise(value: string | boolean | string[] | undefined): number {
  if (value === undefined) return 5;
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(String(value));
  if (match === null || Number(match[1]) > 1_000) {
    throw new UsageError(`--noise: expected a percentage like 5%, got ${JSON.stringify(value)}`);
  }
  return Number(match[1]);
}
