/**
 * `deno task bench --faults`: a soak under broker faults. One generator process
 * (`main.ts run ... --json`, QoS 1 every second, `--max-inflight 64`, probe on) runs
 * against a Mosquitto on a free loopback port; from the moment it reports the `running`
 * phase (its hold), the broker is killed (SIGKILL) on a fixed period, left down for 3 s
 * and started again on the same port, while the generator's VmRSS is read from `/proc`
 * at fixed marks. The generator's summary then gives the per-second timeline (how long
 * the fleet took to come back after each restart), the whole-run reconnect histogram
 * and the message ledger.
 *
 * Full: 5,000 sensors for 10 minutes, a restart every 2 minutes, RSS every minute.
 * `--quick`: 1,000 sensors for 90 s, a restart every 30 s, RSS every 15 s (so the
 * growth check has readings to compare).
 *
 * @module
 */
import { type MosquittoProcess, startMosquitto } from "../helpers/test_broker.ts";
import { formatCount } from "./bench_table.ts";
import { readProcessSample } from "./process_sampler.ts";
import { type GeneratorRun, KILL_GRACE_MS, runGenerator } from "./run_generator.ts";
import {
  markOffsetsMs,
  restartOffsetsMs,
  type RestartRecord,
  type RssMark,
} from "./soak_analysis.ts";
import { FULL_SOAK, QUICK_SOAK, soakArgs, type SoakPlan, type SoakRecord } from "./soak_plan.ts";
import { formatSoakJson, formatSoakTable, soakFailures } from "./soak_report.ts";

/** Longest wait from the spawn for the generator's first `running` line (ms). */
const HOLD_START_TIMEOUT_MS = 60_000;
/** The generator is killed this long after its hold should have ended (ms). */
/** `/proc` sampling period of the generator for peak RSS and CPU (ms). */
const SAMPLE_MS = 1_000;
/** Stderr kept while looking for a line end; progress lines are far shorter (characters). */
const PENDING_KEEP_CHARS = 4_096;

/**
 * Runs the soak of `quick` (or the full one), prints the table and the JSON line on
 * stdout (progress on stderr), and returns the exit code: 0 when the soak was measured,
 * the fleet came back after every restart and the ledger identities held; 1 otherwise.
 */
export async function runSoakCommand(quick: boolean, ticksPerSec: number): Promise<number> {
  const plan = quick ? QUICK_SOAK : FULL_SOAK;
  const startedMs = performance.now();
  console.error(
    `bench: soak: ${formatCount(plan.sensors)} sensors, QoS 1 every 1 s, ${
      plan.durationMs / 1000
    } s hold, ` +
      `broker killed every ${plan.restartEveryMs / 1000} s for ${plan.downMs / 1000} s`,
  );
  const record = await runSoak(plan, quick, ticksPerSec, (line) => console.error(line));
  console.log(formatSoakTable(record));
  console.log(formatSoakJson(record));
  console.error(`bench: finished in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
  const failures = soakFailures(record);
  for (const failure of failures) console.error(`error: soak: ${failure}`);
  return failures.length > 0 ? 1 : 0;
}

/** Runs one soak against a fresh Mosquitto; `log` gets progress lines. */
export async function runSoak(
  plan: SoakPlan,
  quick: boolean,
  ticksPerSec: number,
  log: (line: string) => void,
): Promise<SoakRecord> {
  const broker = await startMosquitto();
  try {
    return await driveSoak(plan, quick, ticksPerSec, broker, log);
  } finally {
    await broker.stop();
  }
}

async function driveSoak(
  plan: SoakPlan,
  quick: boolean,
  ticksPerSec: number,
  broker: MosquittoProcess,
  log: (line: string) => void,
): Promise<SoakRecord> {
  let pid: number | null = null;
  let pending = "";
  let lastProgress = "";
  const generatorGone = new AbortController();
  const holdStart = Promise.withResolvers<number | null>();
  const onStderr = (text: string) => {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop()!.slice(-PENDING_KEEP_CHARS);
    for (const line of lines) {
      if (line.trim() !== "") lastProgress = line.trim();
      if (line.startsWith("running")) holdStart.resolve(Date.now());
    }
  };
  const generatorDone = runGenerator({
    url: broker.url,
    args: soakArgs(plan),
    sampleIntervalMs: SAMPLE_MS,
    ticksPerSec,
    killAfterMs: HOLD_START_TIMEOUT_MS + plan.durationMs + KILL_GRACE_MS,
    onSpawn: (childPid) => pid = childPid,
    onStderr,
  }).finally(() => {
    generatorGone.abort();
    holdStart.resolve(null);
  });
  // Rejections are handled where it is awaited below; until then they are held here.
  generatorDone.catch(() => {});
  const holdTimer = setTimeout(() => holdStart.resolve(null), HOLD_START_TIMEOUT_MS);
  const holdStartMs = await holdStart.promise;
  clearTimeout(holdTimer);

  let restarts: Promise<RestartRecord[]> = Promise.resolve([]);
  let rssMarks: Promise<RssMark[]> = Promise.resolve([]);
  let error: string | null = null;
  if (holdStartMs === null) {
    error = `the generator did not reach its running phase within ${
      HOLD_START_TIMEOUT_MS / 1000
    } s`;
    // SIGTERM makes it stop and still print its summary.
    if (pid !== null && !generatorGone.signal.aborted) signalQuietly(pid, "SIGTERM");
  } else {
    log(`bench:   soak: hold started; generator pid ${pid}`);
    restarts = restartOnSchedule(
      broker,
      holdStartMs,
      restartOffsetsMs(plan.durationMs, plan.restartEveryMs),
      plan.downMs,
      generatorGone.signal,
      log,
    );
    rssMarks = readRssOnSchedule(
      pid!,
      ticksPerSec,
      holdStartMs,
      markOffsetsMs(plan.durationMs, plan.rssEveryMs),
      generatorGone.signal,
      (mark) =>
        log(
          `bench:   soak: +${mark.offsetMs / 1000} s RSS ${
            mark.rssKb === null ? "n/a" : (mark.rssKb / 1024).toFixed(1)
          } MB | ${lastProgress}`,
        ),
    );
  }
  let generator: GeneratorRun | null = null;
  try {
    generator = await generatorDone;
  } catch (cause) {
    error ??= `the generator could not be run: ${describe(cause)}`;
  }
  return {
    plan,
    quick,
    generator,
    holdStartMs,
    restarts: await restarts,
    rssMarks: await rssMarks,
    error,
  };
}

/**
 * Kills the broker at each offset into the hold, waits `downMs`, starts it again on the
 * same port and waits until it accepts TCP. Stops at the first restart that fails, and
 * once the generator is gone.
 */
async function restartOnSchedule(
  broker: MosquittoProcess,
  holdStartMs: number,
  offsetsMs: readonly number[],
  downMs: number,
  generatorGone: AbortSignal,
  log: (line: string) => void,
): Promise<RestartRecord[]> {
  const records: RestartRecord[] = [];
  for (const [index, offsetMs] of offsetsMs.entries()) {
    if (!await sleepUntil(holdStartMs + offsetMs, generatorGone)) break;
    const killedAtMs = Date.now();
    try {
      await broker.kill();
      if (!await sleepUntil(killedAtMs + downMs, generatorGone)) {
        records.push({ killedAtMs, upAtMs: null, error: "the generator exited while it was down" });
        break;
      }
      await broker.restart();
    } catch (cause) {
      records.push({ killedAtMs, upAtMs: null, error: describe(cause) });
      log(`bench:   soak: restart ${index + 1} failed: ${describe(cause)}`);
      break;
    }
    const upAtMs = Date.now();
    records.push({ killedAtMs, upAtMs, error: null });
    log(
      `bench:   soak: restart ${index + 1}/${offsetsMs.length} at +${offsetMs / 1000} s: ` +
        `broker down ${((upAtMs - killedAtMs) / 1000).toFixed(1)} s`,
    );
  }
  return records;
}

/** Reads the generator's VmRSS at each offset into the hold, until it is gone. */
async function readRssOnSchedule(
  pid: number,
  ticksPerSec: number,
  holdStartMs: number,
  offsetsMs: readonly number[],
  generatorGone: AbortSignal,
  onMark: (mark: RssMark) => void,
): Promise<RssMark[]> {
  const marks: RssMark[] = [];
  for (const offsetMs of offsetsMs) {
    if (!await sleepUntil(holdStartMs + offsetMs, generatorGone)) break;
    const mark = { offsetMs, rssKb: readProcessSample(pid, ticksPerSec)?.rssKb ?? null };
    marks.push(mark);
    onMark(mark);
  }
  return marks;
}

/** Resolves true at `atMs` (ms since the Unix epoch), or false as soon as `signal` aborts. */
function sleepUntil(atMs: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, Math.max(0, atMs - Date.now()));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function signalQuietly(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch {
    // It exited in the meantime.
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
