import assert from "node:assert/strict";
import type { Summary } from "../../lib/metrics/summary.ts";
import { type CliResult, runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";
import {
  assertTimelineSums,
  fleetArgs,
  parseSummary,
  startSilentListener,
  uniqueRoot,
} from "../helpers/fault_fixtures.ts";

interface Interruption {
  /** Fleet flags (besides url, topic, client id, --json and --out). */
  readonly flags: readonly string[];
  /** The stderr text the timing counts from ("ramp-up" or "running"). */
  readonly after: string;
  /** Signals and when to send them, in ms after `after` first shows. */
  readonly signals: readonly { readonly signal: Deno.Signal; readonly atMs: number }[];
}

interface InterruptedRun {
  readonly result: CliResult;
  readonly summary: Summary;
  /** The `--out` file's JSON. */
  readonly written: unknown;
  /** From the last signal sent to the process exit, in ms. */
  readonly exitAfterLastSignalMs: number;
}

/** Runs a fleet against its own Mosquitto with `--out`, and signals it as told. */
async function runInterrupted(interruption: Interruption): Promise<InterruptedRun> {
  await using broker = await startMosquitto();
  const dir = await Deno.makeTempDir({ prefix: "iotload-interrupt-" });
  const outPath = `${dir}/summary.json`;
  const timers: ReturnType<typeof setTimeout>[] = [];
  let lastSignalAt: number | undefined;
  try {
    const result = await runCli(
      [
        ...fleetArgs(broker.url, uniqueRoot("interrupt"), interruption.flags),
        "--out",
        outPath,
      ],
      {
        onStderr: {
          text: interruption.after,
          run: (send) => {
            for (const { signal, atMs } of interruption.signals) {
              timers.push(setTimeout(() => {
                lastSignalAt = performance.now();
                send(signal);
              }, atMs));
            }
          },
        },
        timeoutMs: 40_000,
      },
    );
    const exitedAt = performance.now();
    assert.ok(
      lastSignalAt !== undefined,
      `the run ended before it was signalled: ${result.stderr}`,
    );
    const written = JSON.parse(await Deno.readTextFile(outPath));
    return {
      result,
      summary: parseSummary(result),
      written,
      exitAfterLastSignalMs: exitedAt - lastSignalAt,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await Deno.remove(dir, { recursive: true });
  }
}

function assertInterruptedRun(run: InterruptedRun, withinMs: number): void {
  const { result, summary, written, exitAfterLastSignalMs } = run;
  assert.equal(result.code, 130, result.stderr);
  assert.ok(
    exitAfterLastSignalMs < withinMs,
    `exited ${Math.round(exitAfterLastSignalMs)} ms after the signal`,
  );
  assert.equal(summary.interrupted, true, "the summary is marked interrupted");
  assert.deepEqual(written, summary, "--out holds the summary printed on stdout");
  assert.notEqual(summary.ledger.balanced, false, JSON.stringify(summary.ledger));
  assertTimelineSums(summary);
  const m = summary.messages;
  assert.equal(m.scheduled, m.sent + m.backpressured + m.offlineDropped, JSON.stringify(m));
}

const RAMP_UP: Interruption["flags"] = ["-c", "2000", "--connect-rate", "200", "-i", "1s"];
const MID_RUN: Interruption["flags"] = ["-c", "20", "-i", "200ms", "-d", "60s"];
// Sending stops 2 s after "running"; the probe then listens for 10 s more.
const DRAIN: Interruption["flags"] = ["-c", "20", "-i", "200ms", "-d", "2s", "--drain", "10s"];

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`iotload run stops on ${signal} during ramp-up with exit 130 and writes the summary`, async () => {
    // The first "ramp-up" progress line comes 1 s into the ramp; 2,000 sensors at
    // 200 per second take 10 s to connect.
    const run = await runInterrupted({
      flags: RAMP_UP,
      after: "ramp-up",
      signals: [{ signal, atMs: 0 }],
    });
    assertInterruptedRun(run, 15_000);
    const { connections, ledger } = run.summary;
    assert.ok(connections.peak > 0, JSON.stringify(connections));
    assert.ok(connections.peak < 2_000, `interrupted before the ramp ended: ${connections.peak}`);
    // Sensors the ramp had not reached yet did not fail: they were never tried.
    assert.equal(connections.failed, 0, JSON.stringify(connections));
    assert.ok(connections.notAttempted > 0, JSON.stringify(connections));
    assert.equal(ledger.balanced, true, JSON.stringify(ledger));
  });

  Deno.test(`iotload run stops on ${signal} mid-run with exit 130 and writes the summary`, async () => {
    const run = await runInterrupted({
      flags: MID_RUN,
      after: "running",
      signals: [{ signal, atMs: 1_000 }],
    });
    assertInterruptedRun(run, 15_000);
    assert.equal(run.summary.connections.peak, 20);
    assert.ok(run.summary.messages.sent > 0);
  });

  Deno.test(`iotload run stops on ${signal} during the drain with exit 130 and writes the summary`, async () => {
    // 3 s after "running" is 1 s into the 10 s drain.
    const run = await runInterrupted({
      flags: DRAIN,
      after: "running",
      signals: [{ signal, atMs: 3_000 }],
    });
    assertInterruptedRun(run, 15_000);
    assert.ok(run.summary.messages.sent > 0);
  });
}

Deno.test("iotload run exits at once on a second SIGINT during a long drain, still printing the summary", async () => {
  const run = await runInterrupted({
    flags: ["-c", "20", "-i", "200ms", "-d", "2s", "--drain", "30s"],
    after: "running",
    signals: [{ signal: "SIGINT", atMs: 3_000 }, { signal: "SIGINT", atMs: 3_100 }],
  });
  assertInterruptedRun(run, 5_000);
  assert.ok(run.summary.messages.sent > 0);
});

Deno.test("iotload run exits at once on a second SIGINT with QoS 1 publishes in flight, saying what it could not reconcile", async () => {
  const run = await runInterrupted({
    flags: ["-c", "50", "-i", "100ms", "-q", "1", "-d", "2s", "--drain", "30s"],
    after: "running",
    signals: [{ signal: "SIGINT", atMs: 1_000 }, { signal: "SIGINT", atMs: 1_050 }],
  });
  assertInterruptedRun(run, 5_000);
  const { messages, ledger } = run.summary;
  assert.ok(messages.sent > 0);
  assert.equal(typeof messages.lost, "number");
  if (ledger.balanced === null) {
    assert.match(ledger.note, /^ended before the drain: lost counts only gaps/);
  }
});

Deno.test("iotload run stops on SIGINT while the probe is still connecting, without waiting for the connect timeout", async () => {
  await using listener = startSilentListener();
  const startedAt = performance.now();
  const result = await runCli(
    fleetArgs(`mqtt://127.0.0.1:${listener.port}`, uniqueRoot("probe-wait"), [
      "-c",
      "5",
      "--connect-timeout",
      "20s",
    ]),
    { signals: [{ afterMs: 1_500, signal: "SIGINT" }], timeoutMs: 30_000 },
  );
  const elapsedMs = performance.now() - startedAt;
  assert.equal(result.code, 130, result.stderr);
  assert.ok(elapsedMs < 8_000, `ended ${Math.round(elapsedMs)} ms after the start`);
  const summary = parseSummary(result);
  assert.equal(summary.interrupted, true);
  assert.equal(summary.connections.attempts, 0, "no sensor started before the probe");
  assert.equal(summary.connections.notAttempted, 5);
});
