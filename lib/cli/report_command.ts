import { UsageError } from "../config/usage_error.ts";
import { renderHtmlReport } from "../report/html/html_report.ts";
import { checkWritable, writeFileAtomic } from "../report/summary_file.ts";
import { readSummaryFile } from "../report/summary_reader.ts";
import { formatSummaryTable } from "../report/summary_table.ts";
import { EXIT } from "./exit_codes.ts";
import { parseFlags } from "./flag_parser.ts";
import type { TerminalIo } from "./terminal_io.ts";

const REPORT_FLAGS = {
  html: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const REPORT_HELP = `Usage: iotload report SUMMARY.json [--html FILE]

Reprints the summary table of a saved run (iotload run --out FILE), or with --html
writes its HTML report: one self-contained file with charts over time, latency
percentiles and their distribution, the ledger, errors, fleets and settings.

Flags:
  --html FILE   write the HTML report to FILE (atomically)
  -h, --help    show this help
`;

/** `iotload report SUMMARY.json [--html FILE]`: the table again, or the HTML report. */
export async function reportCommand(argv: readonly string[], io: TerminalIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, REPORT_FLAGS);
  if (values.help === true) {
    io.stdout.write(REPORT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      "report takes one summary file",
      "iotload report summary.json [--html report.html] (the summary of iotload run --out FILE)",
    );
  }
  const htmlPath = typeof values.html === "string" ? values.html : null;
  if (htmlPath !== null) checkWritable(htmlPath, "--html");
  const summary = await readSummaryFile(positionals[0], "SUMMARY");
  if (htmlPath === null) {
    io.stdout.write(formatSummaryTable(summary, { color: io.color }));
    return EXIT.OK;
  }
  writeFileAtomic(htmlPath, renderHtmlReport(summary));
  io.stderr.write(`wrote the HTML report of run ${summary.runId} to ${htmlPath}\n`);
  return EXIT.OK;
}
