import denoJson from "../../deno.json" with { type: "json" };
import { describeNotCapable } from "../config/file_errors.ts";
import { PERMISSION_HINT } from "./permission_check.ts";
import { fileSink, systemTerminalIo } from "./terminal_io.ts";

/**
 * Runs the command line on the real terminal and returns the exit code. The command
 * line is loaded here, so a dependency that needs a permission this process lacks
 * while it loads (the environment, say) is one `error:` line, exit 2, not a stack.
 */
export async function startProgram(argv: readonly string[]): Promise<number> {
  try {
    const { main } = await import("./main.ts");
    return await main(argv, systemTerminalIo(denoJson.version));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
    const stderr = fileSink(Deno.stderr);
    stderr.write(`error: ${describeNotCapable(error)}\nhint: ${PERMISSION_HINT}\n`);
    return 2;
  }
}
