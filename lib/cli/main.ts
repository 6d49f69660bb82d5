import { describeNotCapable } from "../config/file_errors.ts";
import { UsageError } from "../config/usage_error.ts";
import { EXIT } from "./exit_codes.ts";
import { formatMainHelp } from "./help.ts";
import { PERMISSION_HINT } from "./permission_check.ts";
import { certsCommand } from "./certs_command.ts";
import { compareCommand } from "./compare_command.ts";
import { kubeCommand } from "./kube_command.ts";
import { mergeCommand } from "./merge_command.ts";
import { reportCommand } from "./report_command.ts";
import { runCommand } from "./run_command.ts";
import { validateCommand } from "./validate_command.ts";
import type { TerminalIo } from "./terminal_io.ts";
import { currentRuntime, formatVersion } from "./version_text.ts";

/**
 * Runs the iotload command line and returns the exit code. Usage errors become one
 * `error:` line per problem (plus a `hint:`), exit 2; anything unexpected prints
 * `error: unexpected failure (please report it)` and the stack, exit 70.
 */
export async function main(argv: readonly string[], io: TerminalIo): Promise<number> {
  const [command, ...rest] = argv;
  const debug = argv.includes("--debug");
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(formatMainHelp(io.version));
        return EXIT.OK;
      case "version":
      case "--version":
        io.stdout.write(formatVersion(io.version, currentRuntime()));
        return EXIT.OK;
      case "run":
        return await runCommand(rest, io);
      case "validate":
        return await validateCommand(rest, io);
      case "compare":
        return await compareCommand(rest, io);
      case "report":
        return await reportCommand(rest, io);
      case "certs":
        return await certsCommand(rest, io);
      case "merge":
        return await mergeCommand(rest, io);
      case "kube":
        return await kubeCommand(rest, io);
      default:
        throw new UsageError(
          `unknown command ${JSON.stringify(command)}`,
          "commands: run, validate, report, compare, merge, kube, certs, help, version (iotload --help)",
        );
    }
  } catch (error) {
    if (error instanceof UsageError) {
      for (const line of error.message.split("\n")) io.stderr.write(`error: ${line}\n`);
      if (error.hint !== undefined) io.stderr.write(`hint: ${error.hint}\n`);
      if (debug) io.stderr.write(`${error.stack}\n`);
      return EXIT.USAGE;
    }
    if (error instanceof Deno.errors.NotCapable) {
      io.stderr.write(`error: ${describeNotCapable(error)}\n`);
      io.stderr.write(`hint: ${PERMISSION_HINT}\n`);
      return EXIT.USAGE;
    }
    io.stderr.write("error: unexpected failure (please report it)\n");
    io.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    return EXIT.INTERNAL;
  }
}
