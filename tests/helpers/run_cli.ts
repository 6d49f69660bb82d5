import { LOAD_TASK_RUNTIME_FLAGS } from "./task_flags.ts";

/** What a finished `main.ts` subprocess left behind. */
export interface CliResult {
  /** Exit code. */
  readonly code: number;
  /** Everything written to stdout. */
  readonly stdout: string;
  /** Everything written to stderr. */
  readonly stderr: string;
}

/** Options of {@linkcode runCli}. */
export interface RunCliOptions {
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** Kill the process (SIGKILL) if it has not exited after this long, in ms; default 60,000. */
  readonly timeoutMs?: number;
  /** Send these signals at these times (ms after start). */
  readonly signals?: readonly { readonly afterMs: number; readonly signal: Deno.Signal }[];
  /** Calls `run` once, when stderr first contains `text`; `signal` signals the process. */
  readonly onStderr?: {
    readonly text: string;
    readonly run: (signal: (signal: Deno.Signal) => void) => void;
  };
  /** Called with every whole line of stderr as it comes; `signal` signals the process. */
  readonly onStderrLine?: (line: string, signal: (signal: Deno.Signal) => void) => void;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The `deno run` flags of `deno task load`: its permissions and V8 flags, nothing more. */
export const LOAD_TASK_FLAGS: readonly string[] = ["--frozen", ...LOAD_TASK_RUNTIME_FLAGS];
const DECODER = new TextDecoder();

/** Runs `deno run main.ts ARGS` as a subprocess with the runtime flags of `deno task load`. */
export async function runCli(
  args: readonly string[],
  options: RunCliOptions = {},
): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...LOAD_TASK_FLAGS, MAIN, ...args],
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timers: ReturnType<typeof setTimeout>[] = [];
  const send = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // Already exited.
    }
  };
  for (const { afterMs, signal } of options.signals ?? []) {
    timers.push(setTimeout(() => send(signal), afterMs));
  }
  timers.push(setTimeout(() => send("SIGKILL"), options.timeoutMs ?? 60_000));
  const collect = async (
    stream: ReadableStream<Uint8Array>,
    watch: Pick<RunCliOptions, "onStderr" | "onStderrLine"> = {},
  ) => {
    let text = "";
    let signalled = false;
    let lineStart = 0;
    for await (const chunk of stream) {
      text += DECODER.decode(chunk, { stream: true });
      if (watch.onStderr !== undefined && !signalled && text.includes(watch.onStderr.text)) {
        signalled = true;
        watch.onStderr.run(send);
      }
      for (
        let end = text.indexOf("\n", lineStart);
        watch.onStderrLine !== undefined && end !== -1;
        end = text.indexOf("\n", lineStart)
      ) {
        watch.onStderrLine(text.slice(lineStart, end), send);
        lineStart = end + 1;
      }
    }
    return text;
  };
  const [stdout, stderr, status] = await Promise.all([
    collect(child.stdout),
    collect(child.stderr, options),
    child.status,
  ]);
  for (const timer of timers) clearTimeout(timer);
  return { code: status.code, stdout, stderr };
}
