/**
 * What the operating system says about a process: CPU time, resident memory and open
 * file descriptors, read from `/proc/<pid>` on a fixed period, plus the pure functions
 * that turn a series of readings into numbers. Reading `/proc` needs `-A` in Deno 2.9.
 *
 * @module
 */

/** One reading of `/proc/<pid>`. */
export interface ProcessSample {
  /** When it was taken, ms since the Unix epoch. */
  readonly atMs: number;
  /** User plus system CPU time of all threads, in seconds (clock-tick resolution). */
  readonly cpuSeconds: number;
  /** Resident set size (VmRSS), in KiB; null once the process has exited. */
  readonly rssKb: number | null;
  /** Peak resident set size (VmHWM), in KiB; null once the process has exited. */
  readonly peakRssKb: number | null;
  /** Open file descriptors (st_size of `/proc/<pid>/fd`, Linux 6.2+); null where unknown. */
  readonly openFds: number | null;
}

/** Options of {@linkcode ProcessSampler}. */
export interface ProcessSamplerOptions {
  /** Time between two readings, in ms. */
  readonly intervalMs: number;
  /** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`). */
  readonly ticksPerSec: number;
}

/** Reads `/proc/<pid>` every `intervalMs` until the process is gone or `stop()` is called. */
export class ProcessSampler {
  /** Every reading so far, oldest first. */
  readonly samples: ProcessSample[] = [];
  readonly #pid: number;
  readonly #options: ProcessSamplerOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;

  /** Prepares a sampler for process `pid`; nothing is read before `start()`. */
  constructor(pid: number, options: ProcessSamplerOptions) {
    this.#pid = pid;
    this.#options = options;
  }

  /** Takes a reading now and then one every `intervalMs`. */
  start(): void {
    this.#running = true;
    this.#tick();
  }

  /** Stops reading; the samples taken so far stay. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  /** The most recent reading, if any. */
  get last(): ProcessSample | undefined {
    return this.samples.at(-1);
  }

  /**
   * Resolves true once CPU time has not advanced for `quietMs`, or false after
   * `timeoutMs` (or when sampling has stopped); used to know a broker has worked
   * through what its clients left in the socket buffers.
   */
  async waitUntilIdle(quietMs: number, timeoutMs: number): Promise<boolean> {
    const deadlineMs = Date.now() + timeoutMs;
    while (this.#running && Date.now() < deadlineMs) {
      if (idleForMs(this.samples) >= quietMs) return true;
      await new Promise((resolve) => setTimeout(resolve, this.#options.intervalMs));
    }
    return idleForMs(this.samples) >= quietMs;
  }

  #tick(): void {
    if (!this.#running) return;
    const sample = readProcessSample(this.#pid, this.#options.ticksPerSec);
    if (sample === null) {
      // The process has been reaped: nothing more will ever be read.
      this.#running = false;
      return;
    }
    this.samples.push(sample);
    this.#timer = setTimeout(() => this.#tick(), this.#options.intervalMs);
  }
}

/**
 * One reading of `/proc/<pid>`, or null when the process no longer exists. A process
 * that has exited but was not reaped yet still has its final CPU time; its memory
 * fields are gone and come back as null.
 */
export function readProcessSample(pid: number, ticksPerSec: number): ProcessSample | null {
  let stat: string;
  let status: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  return {
    atMs: Date.now(),
    cpuSeconds: parseStatCpuTicks(stat) / ticksPerSec,
    rssKb: parseStatusKb(status, "VmRSS"),
    peakRssKb: parseStatusKb(status, "VmHWM"),
    openFds: readOpenFds(pid),
  };
}

function readOpenFds(pid: number): number | null {
  try {
    const size = Deno.statSync(`/proc/${pid}/fd`).size;
    // Kernels before 6.2 report 0 here; a live Deno process always has descriptors open.
    return size > 0 ? size : null;
  } catch (error) {
    // An exited (zombie) process's descriptor table can no longer be looked at.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      return null;
    }
    throw error;
  }
}

/**
 * utime + stime, in clock ticks, from the text of `/proc/<pid>/stat` (fields 14 and 15,
 * proc(5)). The command name in field 2 may hold spaces and parentheses, so fields are
 * counted from the last `)`.
 */
export function parseStatCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`cannot read utime and stime from /proc stat: ${stat.slice(0, 80)}`);
  }
  return utime + stime;
}

/** A `kB` line of `/proc/<pid>/status` (e.g. `VmHWM`), in KiB, or null when absent. */
export function parseStatusKb(status: string, key: "VmRSS" | "VmHWM"): number | null {
  const match = status.match(new RegExp(`^${key}:\\s+(\\d+) kB$`, "m"));
  return match === null ? null : Number(match[1]);
}

/** Clock ticks per second of `/proc` CPU times, from `getconf CLK_TCK`. */
export async function readClockTicksPerSec(): Promise<number> {
  const output = await new Deno.Command("getconf", {
    args: ["CLK_TCK"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const ticks = Number(new TextDecoder().decode(output.stdout).trim());
  if (!output.success || !Number.isInteger(ticks) || ticks <= 0) {
    throw new Error("`getconf CLK_TCK` did not print a tick rate");
  }
  return ticks;
}

/** The last peak RSS seen (VmHWM), in KiB, or null when none was read. */
export function lastPeakRssKb(samples: readonly ProcessSample[]): number | null {
  for (let i = samples.length - 1; i >= 0; i--) {
    const peak = samples[i].peakRssKb;
    if (peak !== null) return peak;
  }
  return null;
}

/** The highest VmRSS sampled within `[fromMs, toMs]`, in KiB, or null when none was. */
export function maxRssKbBetween(
  samples: readonly ProcessSample[],
  fromMs: number,
  toMs: number,
): number | null {
  let max: number | null = null;
  for (const sample of samples) {
    if (sample.atMs < fromMs || sample.atMs > toMs || sample.rssKb === null) continue;
    if (max === null || sample.rssKb > max) max = sample.rssKb;
  }
  return max;
}

/**
 * CPU used per second of wall time (1 = one core) between the first and the last sample
 * within `[fromMs, toMs]`, or null when fewer than two samples fall inside.
 */
export function cpuRateBetween(
  samples: readonly ProcessSample[],
  fromMs: number,
  toMs: number,
): number | null {
  const inside = samples.filter((sample) => sample.atMs >= fromMs && sample.atMs <= toMs);
  if (inside.length < 2) return null;
  const first = inside[0];
  const last = inside[inside.length - 1];
  if (last.atMs === first.atMs) return null;
  return (last.cpuSeconds - first.cpuSeconds) / ((last.atMs - first.atMs) / 1000);
}

/**
 * How long `count` new descriptors took to open, in ms: over the last rise from the
 * fewest descriptors the process had, from the first sample with at least 1% of them
 * open to the first with 99% open, scaled back to 100%. Using 1%/99% keeps the few
 * descriptors a runtime opens on its own from moving either end; timing the last rise
 * skips the run's open-file check, which opens and closes as many descriptors as the
 * run needs before it connects (a spike that would read as a ramp of a few ms). Null
 * when descriptors were not counted or the count never rose by `count`.
 */
export function rampMsFromFds(samples: readonly ProcessSample[], count: number): number | null {
  const counted = samples.filter((sample) => sample.openFds !== null);
  if (counted.length === 0 || count <= 0) return null;
  const base = Math.min(...counted.map((sample) => sample.openFds!));
  const low = base + 0.01 * count;
  const high = base + 0.99 * count;
  const lastHigh = counted.findLastIndex((sample) => sample.openFds! >= high);
  if (lastHigh < 0) return null;
  let rise = lastHigh;
  while (rise > 0 && counted[rise - 1].openFds! >= low) rise--;
  // No sample before the rise: it cannot be timed from its start.
  if (rise === 0) return null;
  const start = counted[rise];
  const end = counted.slice(rise).find((sample) => sample.openFds! >= high)!;
  // Both ends inside one sampling period: too fast to time at this period.
  if (end.atMs <= start.atMs) return null;
  return (end.atMs - start.atMs) / 0.98;
}

function idleForMs(samples: readonly ProcessSample[]): number {
  const last = samples.at(-1);
  if (last === undefined) return 0;
  let since = last.atMs;
  for (let i = samples.length - 1; i >= 0 && samples[i].cpuSeconds === last.cpuSeconds; i--) {
    since = samples[i].atMs;
  }
  return last.atMs - since;
}
