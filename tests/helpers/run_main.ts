import { main } from "../../lib/cli/main.ts";
import type { TerminalIo } from "../../lib/cli/terminal_io.ts";

/** What an in-process run of the command line left behind. */
export interface MainResult {
  /** Exit code. */
  readonly code: number;
  /** Everything written to stdout (empty when `writeStdout` took it). */
  readonly stdout: string;
  /** Everything written to stderr. */
  readonly stderr: string;
}

/**
 * Runs the command line in this process with captured output, environment `env` and,
 * when given, `writeStdout` in place of the capture; an exit call throws. For commands
 * that never get past their checks or open nothing (bad input, manifests).
 */
export async function runMain(
  argv: readonly string[],
  env: Record<string, string> = {},
  writeStdout?: (text: string) => void,
): Promise<MainResult> {
  let stdout = "";
  let stderr = "";
  const io: TerminalIo = {
    stdout: { write: writeStdout ?? ((text) => void (stdout += text)) },
    stderr: { write: (text) => void (stderr += text) },
    stderrIsTerminal: false,
    color: false,
    env,
    version: "0.0.0",
    exit: (code) => {
      throw new Error(`exit ${code} called; stdout: ${stdout}`);
    },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
