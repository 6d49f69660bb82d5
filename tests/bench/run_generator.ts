/**
 * Runs the generator (`main.ts run ... --json`) as its own process with the flags
 * `deno task load` uses, samples it from `/proc` while it runs, and collects its JSON
 * summary.
 *
 * @module
 */
import { LOAD_TASK_FLAGS } from "../helpers/run_cli.ts";
import type { Summary } from "../../lib/metrics/summary.ts";
import { type ProcessSample, ProcessSampler } from "./process_sampler.ts";

/** Options of {@linkcode runGenerator}. */
export interface GeneratorRunOptions {
  /** Broker URL given as `--url`. */
  readonly url: string;
  /** Flags after `main.ts run`, without `--url` and `--json`. */
  readonly args: readonly string[];
  /** `/proc` sampling period, in ms. */
  readonly sampleIntervalMs: number;
  /** Clock ticks per second of `/proc` CPU times. */
  readonly ticksPerSec: number;
  /** The child is killed (SIGKILL) when it runs longer than this, in ms. */
  readonly killAfterMs: number;
  /** Called once with the child's process id, right after the spawn; default none. */
  readonly onSpawn?: (pid: number) => void;
  /** Called with each piece of the child's stderr as it arrives (progress lines); default none. */
  readonly onStderr?: (text: string) => void;
}

/** What one generator process did, as it reported it and as `/proc` saw it. */
export interface GeneratorRun {
  /** Exit code (137 after the kill). */
  readonly code: number;
  /** True when the child outlived `killAfterMs` and was killed. */
  readonly killed: boolean;
  /** The parsed summary from stdout, or null when stdout held none. */
  readonly summary: Summary | null;
  /** The child's first `error:` line on stderr, or null. */
  readonly errorLine: string | null;
  /** `/proc` readings of the child, oldest first. */
  readonly samples: readonly ProcessSample[];
  /** Spawn and exit times, ms since the Unix epoch. */
  readonly spawnedAtMs: number;
  /** Exit time, ms since the Unix epoch. */
  readonly exitedAtMs: number;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
/** How much of the end of the child's stderr is kept to find its error line (characters). */
const STDERR_KEEP_CHARS = 16_384;

/** The command line of the generator for `options` (the real Deno binary, not a shim). */
export function generatorCommand(options: Pick<GeneratorRunOptions, "url" | "args">): string[] {
  return [
    Deno.execPath(),
    "run",
    ...LOAD_TASK_FLAGS,
    MAIN,
    "run",
    "--url",
    options.url,
    ...options.args,
    "--json",
  ];
}

/** Spawns the generator, samples it until it exits (or is killed), and reads its summary. */
export async function runGenerator(options: GeneratorRunOptions): Promise<GeneratorRun> {
  const [binary, ...args] = generatorCommand(options);
  const spawnedAtMs = Date.now();
  const child = new Deno.Command(binary, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  options.onSpawn?.(child.pid);
  const sampler = new ProcessSampler(child.pid, {
    intervalMs: options.sampleIntervalMs,
    ticksPerSec: options.ticksPerSec,
  });
  sampler.start();
  let killed = false;
  const killTimer = setTimeout(() => {
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // It exited in the meantime.
    }
  }, options.killAfterMs);
  try {
    const [stdout, stderr, status] = await Promise.all([
      readAll(child.stdout),
      readAll(child.stderr, STDERR_KEEP_CHARS, options.onStderr),
      child.status,
    ]);
    return {
      code: status.code,
      killed,
      summary: parseSummary(stdout),
      errorLine: stderr.split("\n").find((line) => line.startsWith("error:")) ?? null,
      samples: sampler.samples,
      spawnedAtMs,
      exitedAtMs: Date.now(),
    };
  } finally {
    clearTimeout(killTimer);
    sampler.stop();
  }
}

async function readAll(
  stream: ReadableStream<Uint8Array>,
  keepChars?: number,
  onText?: (text: string) => void,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    const piece = decoder.decode(chunk, { stream: true });
    onText?.(piece);
    text += piece;
    // Progress lines arrive every second; `error:` lines come last, so the tail is kept.
    if (keepChars !== undefined && text.length > keepChars) text = text.slice(-keepChars);
  }
  return text + decoder.decode();
}

function parseSummary(stdout: string): Summary | null {
  try {
    const parsed = JSON.parse(stdout);
    return typeof parsed === "object" && parsed !== null && "messages" in parsed
      ? parsed as Summary
      : null;
  } catch {
    return null;
  }
}

/** How long a generator may run past its planned duration before it is killed, in ms. */
export const KILL_GRACE_MS = 60_000;

/** Why a generator run cannot be measured, or null when it can. */
export function describeRunFailure(run: GeneratorRun, killGraceMs: number): string | null {
  if (run.killed) return `killed: still running ${killGraceMs / 1000} s after its duration`;
  if (run.code !== 0 || run.summary === null) {
    return `iotload exited with code ${run.code}${
      run.errorLine === null ? "" : `: ${run.errorLine.replace(/^error: /, "")}`
    }`;
  }
  if (run.summary.aborted !== null) return `iotload gave up: ${run.summary.aborted}`;
  return null;
}
