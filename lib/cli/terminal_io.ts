/** Something text can be written to (stdout, stderr, or a test's buffer). */
export interface TextSink {
  /** Writes `text` as is. */
  write(text: string): void;
}

/** The process's outside world, injected so commands can be tested without a terminal. */
export interface TerminalIo {
  /** Summary and help. */
  readonly stdout: TextSink;
  /** Live view, notes and errors. */
  readonly stderr: TextSink;
  /** stderr is a terminal (the live view redraws in place). */
  readonly stderrIsTerminal: boolean;
  /** Width of the terminal on stderr, in columns (80 when it is not a terminal). */
  readonly columns?: number;
  /** Colour allowed (stdout or stderr is a terminal and `NO_COLOR` is unset). */
  readonly color: boolean;
  /** Environment variables (`IOTLOAD_*`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Tool version. */
  readonly version: string;
  /** Ends the process at once with `code`. */
  exit(code: number): never;
}

const ENCODER = new TextEncoder();

/** A sink writing synchronously to a Deno file (so output survives an immediate exit). */
export function fileSink(file: { writeSync(bytes: Uint8Array): number }): TextSink {
  return {
    write(text: string): void {
      const bytes = ENCODER.encode(text);
      let offset = 0;
      while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
    },
  };
}

/** The real terminal: Deno's stdout/stderr, environment and exit. */
export function systemTerminalIo(version: string): TerminalIo {
  const noColor = (Deno.env.get("NO_COLOR") ?? "") !== "";
  const stderrIsTerminal = Deno.stderr.isTerminal();
  return {
    stdout: fileSink(Deno.stdout),
    stderr: fileSink(Deno.stderr),
    stderrIsTerminal,
    columns: terminalColumns(stderrIsTerminal),
    color: !noColor && Deno.stdout.isTerminal(),
    env: Deno.env.toObject(),
    version,
    exit: (code) => Deno.exit(code),
  };
}

/** The terminal's width, in columns; 80 when stderr is no terminal or the size is unknown. */
function terminalColumns(isTerminal: boolean): number {
  if (!isTerminal) return 80;
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}
