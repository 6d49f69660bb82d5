/**
 * `deno task bench`: how much the iotload generator costs, measured from outside.
 *
 * Each case runs the generator as its own process (`main.ts run ... --json`, the flags
 * of `deno task load`, the real Deno binary) against a fresh Mosquitto on a free
 * loopback port (`sys_interval 1`), or against `--url`. While it runs, `/proc/<pid>` is
 * read every 100 ms (10 ms in `connect`): peak RSS is the last VmHWM seen, CPU the last
 * utime + stime seen before exit (so ±0.1 s), open descriptors time the connect ramp.
 * The broker's `$SYS/broker/publish/messages/received` is read before and after each
 * run (after the broker has gone idle, at its next `$SYS` refresh, which Mosquitto
 * 2.0.11 makes every 2 s); the difference, less the marker messages the probe
 * publishes to prove its subscription (`ledger.markers`), is `brokerReceived`. The `$SYS` subscriber
 * publishes nothing. The child's own summary
 * gives sent, scheduled, latency and lateness. A run is killed after its duration +
 * 60 s. Hold-phase numbers (idle memory, flood rates, CPU per message) use the hold
 * window the summary describes: the timeline second the ramp-up ended, plus
 * `rates.windowMs`.
 *
 * Output: one table, then one JSON line per case (`{"case":"seed",...}`) on stdout;
 * progress on stderr. With `--runs N` every number is the median of N repetitions.
 * Exit code 0 when every case was measured (targets are reported, not enforced), 1
 * when a case could not be measured, 2 for bad flags.
 *
 * ```sh
 * deno task bench --quick            # every case, short (under a minute)
 * deno task bench --case idle --runs 3
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { findMosquitto, startMosquitto } from "../helpers/test_broker.ts";
import { BrokerCounter } from "./broker_counter.ts";
import { type Column, formatCount, formatFixed, formatMs, formatTable } from "./bench_table.ts";
import { BENCH_CASES, medianMetrics, selectCases } from "./cases.ts";
import type {
  BenchCase,
  BrokerObservation,
  CaseMetrics,
  RunRecord,
  RunSpec,
} from "./case_types.ts";
import { ProcessSampler, readClockTicksPerSec } from "./process_sampler.ts";
import {
  describeRunFailure,
  type GeneratorRun,
  KILL_GRACE_MS,
  runGenerator,
} from "./run_generator.ts";
import { runShards } from "./run_shards.ts";
import { runSoakCommand } from "./soak.ts";

/** What the benchmark was asked to do. */
interface BenchOptions {
  readonly quick: boolean;
  /** Run the fault soak instead of the cases. */
  readonly faults: boolean;
  readonly runs: number;
  readonly cases: readonly BenchCase[];
  /** A broker to use instead of starting Mosquitto per run, or null. */
  readonly url: string | null;
  /** The sensor clients (`--transport`) every case runs on, each a row of its own. */
  readonly transports: readonly string[];
}

/** A case's result: median metrics and targets, or why it could not be measured. */
interface CaseOutcome {
  readonly benchCase: BenchCase;
  readonly metrics: CaseMetrics | null;
  readonly error: string | null;
}

/** A finished generator run whose broker count may still be settling. */
interface RunHandle {
  readonly spec: RunSpec;
  readonly generator: GeneratorRun;
  readonly broker: Promise<BrokerObservation>;
}

const USAGE =
  `Usage: deno task bench [--quick] [--case NAME]... [--runs N] [--url URL] [--transport LIST]
       deno task bench --faults [--quick]

  --quick       short version of every case (under a minute in total)
  --faults      instead of the cases, a soak under broker restarts: 5,000 sensors, QoS 1
                every 1 s for 10 min, Mosquitto killed every 2 min and restarted after
                3 s (with --quick: 1,000 sensors, 90 s, every 30 s); RSS by minute,
                recovery per restart, the message ledger
  --case NAME   run only this case (repeatable): ${BENCH_CASES.map((c) => c.name).join(", ")}
  --runs N      repeat each case N times and report the medians (default 1)
  --url URL     use this loopback broker (Mosquitto with sys_interval 1) for every run
                instead of a fresh Mosquitto per run
  --transport LIST  the sensor clients each case runs on, a row each (default:
                auto,mqttjs; auto is the lean client for these plain sensors)
  -h, --help    show this help`;

/** `/proc` sampling period of the broker (ms). */
const BROKER_SAMPLE_MS = 100;
/** A broker whose CPU time did not move for this long has drained its sockets (ms). */
const BROKER_QUIET_MS = 300;
/** Longest wait for the broker to go quiet after a run (ms). */
const BROKER_QUIET_TIMEOUT_MS = 15_000;
/** Longest wait for the final `$SYS` count: our Mosquitto refreshes every 2 s (ms). */
const OWN_BROKER_COUNT_TIMEOUT_MS = 10_000;
/** A broker given with `--url` may refresh `$SYS` less often (Mosquitto's default: 10 s). */
const URL_BROKER_COUNT_TIMEOUT_MS = 30_000;
/** A run is killed this long after its hold should have ended (ms). */

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseOptions(argv);
  } catch (error) {
    console.error(`error: ${describe(error)}`);
    console.error("hint: run with --help to see every flag");
    return 2;
  }
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  if (options.url === null && findMosquitto() === undefined) {
    console.error("error: mosquitto was not found on PATH or in /usr/sbin");
    console.error("hint: apt-get install -y mosquitto, or give --url mqtt://127.0.0.1:PORT");
    return 1;
  }
  const ticksPerSec = await readClockTicksPerSec();
  if (options.faults) return await runSoakCommand(options.quick, ticksPerSec);
  const startedMs = performance.now();
  const outcomes: Promise<CaseOutcome>[] = [];
  const cases = options.cases.flatMap((benchCase) =>
    options.transports.map((transport) => onTransport(benchCase, transport))
  );
  for (const [index, benchCase] of cases.entries()) {
    console.error(
      `bench: [${index + 1}/${cases.length}] ${benchCase.name}: ${benchCase.about}`,
    );
    outcomes.push((await runCase(benchCase, options, ticksPerSec)).outcome);
  }
  const results = await Promise.all(outcomes);
  console.log(renderTable(results, options));
  for (const result of results) console.log(renderJsonLine(result, options));
  console.error(`bench: finished in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
  // The one thing a benchmark run must prove: every message the generator counted as
  // sent reached the broker (timings are reported, never enforced).
  const unreconciled = results.filter((result) =>
    result.metrics !== null && result.metrics.brokerReceived !== result.metrics.sent
  );
  for (const { benchCase, metrics } of unreconciled) {
    console.error(
      `error: ${benchCase.name}: the generator sent ${
        metrics!.sent
      } messages, the broker received ${metrics!.brokerReceived}`,
    );
  }
  return results.some((result) => result.error !== null) || unreconciled.length > 0 ? 1 : 0;
}

function parseOptions(argv: readonly string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean" },
      faults: { type: "boolean" },
      case: { type: "string", multiple: true },
      runs: { type: "string" },
      url: { type: "string" },
      transport: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  const runs = Number(values.runs ?? "1");
  if (!Number.isInteger(runs) || runs < 1 || runs > 99) {
    throw new Error(`--runs: expected a whole number from 1 to 99, got ${values.runs}`);
  }
  if (values.faults && (values.case !== undefined || values.runs !== undefined || values.url)) {
    // The soak kills and restarts its own broker; it is one run of its own.
    throw new Error("--faults runs the soak alone: leave out --case, --runs and --url");
  }
  return {
    quick: values.quick ?? false,
    faults: values.faults ?? false,
    runs,
    cases: selectCases(values.case ?? []),
    url: values.url === undefined ? null : checkLoopbackUrl(values.url),
    transports: parseTransports(values.transport ?? "auto,mqttjs"),
  };
}

/** `--transport auto,mqttjs`: the sensor clients every case runs on, in order. */
function parseTransports(text: string): string[] {
  const transports = text.split(",").map((part) => part.trim());
  const unknown = transports.filter((name) => !["auto", "lean", "mqttjs"].includes(name));
  if (unknown.length > 0 || transports.length === 0) {
    throw new Error(`--transport: expected auto, lean or mqttjs (comma-separated), got ${text}`);
  }
  return transports;
}

/** `benchCase` with its generators on `transport`; the name says which (`seed/mqttjs`). */
function onTransport(benchCase: BenchCase, transport: string): BenchCase {
  return {
    ...benchCase,
    name: `${benchCase.name}/${transport}`,
    runs: (quick) =>
      benchCase.runs(quick).map((spec) => ({
        ...spec,
        args: [...spec.args, "--transport", transport],
      })),
  };
}

/** Load goes to loopback only: `--url` must name 127.0.0.0/8, ::1 or localhost. */
function checkLoopbackUrl(url: string): string {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error(`--url: expected a URL like mqtt://127.0.0.1:1883, got ${url}`);
  }
  const loopback = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "[::1]" ||
    host === "localhost";
  if (!loopback) throw new Error(`--url: the benchmark only loads loopback brokers, not ${host}`);
  return url;
}

/**
 * Makes every run of every repetition of a case, one after another; returns once the
 * generators are done, with the outcome still waiting for the brokers' final counts,
 * so the next case can start while the last broker waits for its `$SYS` refresh.
 */
async function runCase(
  benchCase: BenchCase,
  options: BenchOptions,
  ticksPerSec: number,
): Promise<{ outcome: Promise<CaseOutcome> }> {
  const repetitions: Promise<CaseMetrics>[] = [];
  const failed = (error: unknown): CaseOutcome => ({
    benchCase,
    metrics: null,
    error: describe(error),
  });
  try {
    for (let repetition = 0; repetition < options.runs; repetition++) {
      const specs = benchCase.runs(options.quick);
      const start = (spec: RunSpec) => {
        console.error(
          `bench:   ${spec.label}: ${formatCount(spec.sensors)} sensor${
            spec.sensors === 1 ? "" : "s"
          }, ${spec.durationMs / 1000} s hold${
            options.runs > 1 ? ` (repetition ${repetition + 1}/${options.runs})` : ""
          }`,
        );
        return startRun(spec, options.url, ticksPerSec);
      };
      let handles: RunHandle[];
      if (benchCase.together && options.url === null) {
        // Every run is waited for, so none is left loading the machine after a failure.
        const settled = await Promise.allSettled(specs.map(start));
        const failure = settled.find((result) => result.status === "rejected");
        if (failure !== undefined) throw failure.reason;
        handles = settled.map((result) => (result as PromiseFulfilledResult<RunHandle>).value);
      } else {
        handles = [];
        for (const spec of specs) {
          const handle = await start(spec);
          // A shared broker's count must settle before the next run adds to it.
          if (options.url !== null) await handle.broker;
          handles.push(handle);
        }
      }
      repetitions.push(measureRepetition(benchCase, handles));
    }
  } catch (error) {
    // Earlier repetitions still settle (and stop their brokers) before the outcome does.
    return { outcome: Promise.allSettled(repetitions).then(() => failed(error)) };
  }
  return {
    outcome: Promise.all(repetitions).then(
      (all) => ({ benchCase, metrics: medianMetrics(all), error: null }),
      failed,
    ),
  };
}

async function measureRepetition(
  benchCase: BenchCase,
  handles: readonly RunHandle[],
): Promise<CaseMetrics> {
  const records: RunRecord[] = [];
  for (const handle of handles) {
    const { generator, spec } = handle;
    const broker = await handle.broker;
    records.push({ spec, generator: { ...generator, summary: generator.summary! }, broker });
  }
  return benchCase.measure(records);
}

/**
 * One generator run against a fresh Mosquitto (or `url`): counts before, runs and
 * samples the generator, waits for the broker to go quiet, and leaves the final count
 * (and the broker's shutdown) to the returned promise. Throws when the generator did not
 * produce a successful summary.
 */
async function startRun(
  spec: RunSpec,
  url: string | null,
  ticksPerSec: number,
): Promise<RunHandle> {
  const mosquitto = url === null ? await startMosquitto({ extraConfig: "sys_interval 1" }) : null;
  let counter: BrokerCounter | null = null;
  let brokerSampler: ProcessSampler | null = null;
  const cleanUp = async () => {
    brokerSampler?.stop();
    await counter?.close();
    await mosquitto?.stop();
  };
  try {
    counter = await BrokerCounter.open(url ?? mosquitto!.url);
    const before = counter.latest;
    if (mosquitto !== null) {
      brokerSampler = new ProcessSampler(mosquitto.pid, {
        intervalMs: BROKER_SAMPLE_MS,
        ticksPerSec,
      });
      brokerSampler.start();
    }
    const generatorOptions = {
      url: url ?? mosquitto!.url,
      args: spec.args,
      sampleIntervalMs: spec.sampleIntervalMs,
      ticksPerSec,
      killAfterMs: spec.durationMs + KILL_GRACE_MS,
    };
    const generator = (spec.shards ?? 1) > 1
      ? await runShards(generatorOptions, spec.shards!)
      : await runGenerator(generatorOptions);
    console.error(
      `bench:     ${spec.label} done in ${
        ((generator.exitedAtMs - generator.spawnedAtMs) / 1000).toFixed(1)
      } s`,
    );
    const failure = describeFailure(generator);
    if (failure !== null) throw new Error(`${spec.label}: ${failure}`);
    // Until the broker has worked through what the run left in its socket buffers, it
    // would take CPU from the next run.
    await brokerSampler?.waitUntilIdle(BROKER_QUIET_MS, BROKER_QUIET_TIMEOUT_MS);
    brokerSampler?.stop();
    const quietAtMs = Date.now();
    const sent = generator.summary!.messages.sent;
    const samples = brokerSampler?.samples ?? [];
    const activeCounter = counter;
    const broker = (async (): Promise<BrokerObservation> => {
      try {
        const after = before === null ? null : await activeCounter.finalCount(
          quietAtMs,
          before + sent,
          url === null ? OWN_BROKER_COUNT_TIMEOUT_MS : URL_BROKER_COUNT_TIMEOUT_MS,
        );
        return {
          received: after === null || before === null ? null : after - before,
          updates: activeCounter.updates,
          samples,
        };
      } finally {
        await cleanUp();
      }
    })();
    // The case awaits this only after its last run; until then a rejection is held here
    // rather than reported as unhandled.
    broker.catch(() => {});
    return { spec, generator, broker };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Why a generator run cannot be measured, or null when it can. */
function describeFailure(run: GeneratorRun): string | null {
  return describeRunFailure(run, KILL_GRACE_MS);
}

const COLUMNS: readonly Column[] = [
  { header: "case" },
  { header: "conns", right: true },
  { header: "peak RSS MB", right: true },
  { header: "CPU s ±0.1", right: true },
  { header: "scheduled", right: true },
  { header: "sent", right: true },
  { header: "broker rcvd", right: true },
  { header: "late p99", right: true },
  { header: "result" },
  { header: "targets" },
];

function renderTable(results: readonly CaseOutcome[], options: BenchOptions): string {
  const rows = results.map(({ benchCase, metrics, error }) => {
    if (metrics === null) {
      return [benchCase.name, "", "", "", "", "", "", "", `error: ${error}`, "not measured"];
    }
    return [
      benchCase.name,
      formatCount(metrics.sensors),
      formatFixed(metrics.rssMB, 1),
      formatFixed(metrics.cpuSeconds, 2),
      formatCount(metrics.scheduled),
      formatCount(metrics.sent),
      formatCount(metrics.brokerReceived),
      formatMs(metrics.latenessP99Ms),
      benchCase.headline(metrics),
      describeTargets(benchCase, metrics),
    ];
  });
  const mode = `${options.quick ? "quick" : "full"}, ${
    options.runs === 1 ? "1 run" : `median of ${options.runs} runs`
  }, ${options.url === null ? "fresh Mosquitto per run" : options.url}`;
  return [
    `iotload benchmark (${mode})`,
    "",
    formatTable(COLUMNS, rows),
    "",
    "peak RSS: VmHWM (MB = 2^20 bytes). CPU: utime + stime of the generator process, sampled" +
    " from /proc every 100 ms (±0.1 s).",
    "broker rcvd: difference of $SYS/broker/publish/messages/received (PUBLISH packets only)." +
    " late p99: the generator's own lateness.",
    'msg/s: broker-counted between $SYS refreshes in the hold ("sent rate" when fewer than' +
    " two fell in it); broker cores >= 0.9: Mosquitto (one thread) is the limit.",
    "workers: the other columns describe the --workers 2 run.",
  ].join("\n");
}

function describeTargets(benchCase: BenchCase, metrics: CaseMetrics): string {
  const missed: string[] = [];
  const unknown: string[] = [];
  for (const target of benchCase.targets) {
    const met = target.check(metrics);
    if (met === false) missed.push(target.label);
    if (met === null) unknown.push(target.label);
  }
  const parts = [];
  if (missed.length > 0) parts.push(`MISSED ${missed.join("; ")}`);
  if (unknown.length > 0) parts.push(`n/a ${unknown.join("; ")}`);
  const met = benchCase.targets.length - missed.length - unknown.length;
  if (met > 0 || parts.length === 0) parts.unshift(`${met}/${benchCase.targets.length} met`);
  return parts.join(", ");
}

function renderJsonLine(result: CaseOutcome, options: BenchOptions): string {
  const { benchCase, metrics, error } = result;
  const rounded: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(metrics ?? {})) {
    rounded[key] = value === null ? null : Math.round(value * 1000) / 1000;
  }
  const verdicts = metrics === null
    ? []
    : benchCase.targets.map((target) => ({ target: target.label, met: target.check(metrics) }));
  return JSON.stringify({
    case: benchCase.name,
    ...rounded,
    quick: options.quick,
    runs: options.runs,
    targetsMissed: verdicts.filter((v) => v.met === false).map((v) => v.target),
    targetsUnmeasured: verdicts.filter((v) => v.met === null).map((v) => v.target),
    error,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Last, so every module-level constant above is initialised before main() runs.
if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
