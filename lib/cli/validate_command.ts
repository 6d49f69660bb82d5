import { crossCheck } from "../config/cross_check.ts";
import { targetRatePerSec, totalSensors } from "../config/scenario.ts";
import { loadScenarioFile } from "../config/scenario_file.ts";
import { UsageError } from "../config/usage_error.ts";
import { runProblems } from "../engine/run_checks.ts";
import { formatCount, formatRate } from "../report/format.ts";
import { thresholdProblems } from "../report/thresholds.ts";
import { EXIT } from "./exit_codes.ts";
import type { TerminalIo } from "./terminal_io.ts";

/**
 * `iotload validate FILE`: checks a scenario file without running it; every problem
 * is reported at once (exit 2), otherwise one line describes the fleet (exit 0).
 */
export async function validateCommand(argv: readonly string[], io: TerminalIo): Promise<number> {
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    throw new UsageError("validate takes one scenario file", "iotload validate fleet.yaml");
  }
  const scenario = await loadScenarioFile(argv[0], io.env);
  const problems = [
    ...crossCheck(scenario),
    ...runProblems(scenario),
    ...thresholdProblems(scenario.thresholds.map((spec) => spec.expression), "thresholds"),
  ];
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  const fleets = scenario.fleets.map((fleet) =>
    `${fleet.name} (${formatCount(fleet.count)} ${fleet.profile})`
  );
  io.stdout.write(
    `ok: ${argv[0]}: ${formatCount(totalSensors(scenario))} sensors in ${
      fleets.join(", ")
    }; target ${formatRate(targetRatePerSec(scenario))}\n`,
  );
  return EXIT.OK;
}
