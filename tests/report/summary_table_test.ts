import assert from "node:assert/strict";
import type { LatencyStats } from "../../lib/metrics/histogram.ts";
import type { Summary } from "../../lib/metrics/summary.ts";
import { formatSummaryTable } from "../../lib/report/summary_table.ts";

const EMPTY_STATS: LatencyStats = {
  count: 0,
  min: 0,
  p50: 0,
  p90: 0,
  p99: 0,
  p999: 0,
  max: 0,
  mean: 0,
};

function stats(count: number, p99Ms: number): LatencyStats {
  return { count, min: 0.35, p50: 3.4, p90: 8.1, p99: p99Ms, p999: 42.5, max: 1250, mean: 4.2 };
}

/** A finished 10,000-sensor run with a probe, errors and two thresholds. */
function summaryFixture(overrides: Partial<Summary> = {}): Summary {
  return {
    schemaVersion: 1,
    tool: { name: "iotload", version: "0.1.0" },
    runId: "0a1b2c3d",
    fleets: [],
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:01:05.000Z",
    durationMs: 65_000,
    interrupted: false,
    aborted: null,
    broker: { url: "mqtt://127.0.0.1:1883", embedded: true },
    config: { sensors: 10_000, password: "***" },
    connections: {
      target: 10_000,
      connected: 9_998,
      peak: 10_000,
      notAttempted: 0,
      failed: 2,
      attempts: 10_012,
      attemptsFailed: 12,
      disconnects: 3,
      reconnects: 3,
      churned: 0,
      errors: { connectTimeout: 2, connectRefused: 10, publishFailed: 0 },
      failedDevices: {},
    },
    commands: { sent: 0, answered: 0, unanswered: 0 },
    messages: {
      scheduled: 120_000,
      sent: 119_700,
      acked: 119_650,
      failed: 50,
      backpressured: 200,
      offlineDropped: 100,
      offlineBuffered: 0,
      foreign: 0,
      received: 119_690,
      lost: 10,
      duplicates: 0,
      reordered: 4,
    },
    ledger: { probe: true, balanced: true, note: "sent = received + lost" },
    rates: {
      targetPerSec: 2000,
      sentPerSec: 1995.3,
      ackedPerSec: 1994.1,
      receivedPerSec: 1994.8,
      windowMs: 55_000,
    },
    latencyMs: {
      connect: stats(10_012, 45.2),
      ack: stats(119_650, 12.3),
      e2e: stats(119_690, 14.8),
      lateness: EMPTY_STATS,
      reconnect: EMPTY_STATS,
      command: EMPTY_STATS,
    },
    overflow: { connect: 0, ack: 0, e2e: 0, lateness: 0, reconnect: 0, command: 0 },
    histograms: {
      connect: "HISTFAAA",
      ack: "HISTFAAA",
      e2e: "HISTFAAA",
      lateness: "HISTFAAA",
      reconnect: "HISTFAAA",
      command: "HISTFAAA",
    },
    timeline: [
      {
        t: 1,
        connected: 9_998,
        sent: 2_003,
        acked: 2_001,
        received: 2_002,
        errors: 0,
        ackP50Ms: 0,
        ackP99Ms: 12,
        e2eP50Ms: 0,
        latenessP50Ms: 0,
        latenessP99Ms: 0,
        connectP50Ms: 0,
        connectP99Ms: 0,
        e2eP99Ms: 15,
        stage: 0,
        errorsByCategory: {},
        cpuPercent: 0,
        eventLoopLagMs: 0,
      },
    ],
    errorSamples: ["connectRefused: connect ECONNREFUSED 127.0.0.1:1883"],
    generator: {
      workers: 2,
      cpuPercent: 87.4,
      cpuSeconds: 57.2,
      rssBytes: 123_400_000,
      peakRssBytes: 150_200_000,
      eventLoopLagP99Ms: 4.2,
      verdict: "ok",
      verdictReasons: [],
    },
    thresholds: [],
    ...overrides,
  };
}

const ANSI = "\x1b[";

function lineStartingWith(text: string, start: string): string {
  const line = text.split("\n").find((candidate) => candidate.trimStart().startsWith(start));
  assert.ok(line !== undefined, `no line starts with ${JSON.stringify(start)} in:\n${text}`);
  return line;
}

Deno.test("formatSummaryTable() prints every section in order and ends with a newline", () => {
  const text = formatSummaryTable(summaryFixture(), { color: false });
  const titles = ["Connections", "Messages", "Rates", "Latency (ms)", "Errors", "Generator"];
  const positions = titles.map((title) => text.indexOf(`\n${title}`));
  assert.ok(positions.every((position) => position > 0), text);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions);
  assert.ok(text.endsWith("\n") && !text.endsWith("\n\n"));
  assert.ok(!text.includes("Thresholds"), "no thresholds section without thresholds");
});

Deno.test("formatSummaryTable() header names version, broker, embedded, duration and run id", () => {
  const header = formatSummaryTable(summaryFixture(), { color: false }).split("\n")[0];
  assert.equal(header, "iotload 0.1.0 · mqtt://127.0.0.1:1883 (embedded) · 1m05s · run 0a1b2c3d");
  const external = formatSummaryTable(
    summaryFixture({ broker: { url: "mqtts://broker:8883", embedded: false } }),
    { color: false },
  );
  assert.equal(
    external.split("\n")[0],
    "iotload 0.1.0 · mqtts://broker:8883 · 1m05s · run 0a1b2c3d",
  );
});

Deno.test("formatSummaryTable() marks an interrupted run and shows an abort reason", () => {
  const interrupted = formatSummaryTable(summaryFixture({ interrupted: true }), { color: false });
  assert.match(interrupted.split("\n")[0], /· INTERRUPTED$/);
  const aborted = formatSummaryTable(
    summaryFixture({ aborted: "cannot connect to mqtt://127.0.0.1:1883: connection refused" }),
    { color: false },
  );
  assert.match(
    aborted,
    /^aborted: cannot connect to mqtt:\/\/127\.0\.0\.1:1883: connection refused$/m,
  );
  assert.ok(!aborted.includes("INTERRUPTED"));
});

Deno.test("formatSummaryTable() shows connection and message counts with separators", () => {
  const text = formatSummaryTable(summaryFixture(), { color: false });
  assert.match(lineStartingWith(text, "target"), /^ {2}target +10,000$/);
  assert.match(lineStartingWith(text, "connected"), /9,998/);
  assert.match(lineStartingWith(text, "never connected"), / 2$/);
  assert.match(lineStartingWith(text, "attempts"), /10,012 +\(12 failed\)$/);
  assert.match(lineStartingWith(text, "disconnects"), / 3$/);
  assert.match(lineStartingWith(text, "reconnects"), / 3$/);
  for (
    const [label, value] of [
      ["scheduled", "120,000"],
      ["sent", "119,700"],
      ["acked", "119,650"],
      ["failed", "50"],
      ["backpressured", "200"],
      ["offline-dropped", "100"],
      ["received", "119,690"],
      ["lost", "10"],
      ["duplicates", "0"],
      ["reordered", "4"],
    ]
  ) {
    assert.match(lineStartingWith(text, `${label} `), new RegExp(` ${value}( |$)`), label);
  }
  assert.match(text, /ledger: sent = received \+ lost/);
});

Deno.test("formatSummaryTable() says end-to-end was not measured without a probe", () => {
  const text = formatSummaryTable(
    summaryFixture({
      ledger: {
        probe: false,
        balanced: null,
        note: "probe off: received, lost and e2e not measured",
      },
      latencyMs: { ...summaryFixture().latencyMs, e2e: EMPTY_STATS },
    }),
    { color: false },
  );
  assert.match(text, /ledger: probe off: received, lost and e2e not measured/);
  assert.match(text, /e2e: not measured \(probe off\)/);
  assert.match(lineStartingWith(text, "lost"), / -$/);
});

Deno.test("formatSummaryTable() shows rates in msg/s with sent as a percent of target", () => {
  const text = formatSummaryTable(summaryFixture(), { color: false });
  assert.match(text, /^Rates \(measured over the 55s after ramp-up\)$/m);
  assert.match(text, /^ {2}target +2,000 msg\/s$/m);
  assert.match(text, /^ {2}sent +1,995 msg\/s {2}\(99\.8% of target\)$/m);
  assert.match(text, /^ {2}acked +1,994 msg\/s$/m);
  assert.match(text, /^ {2}received +1,995 msg\/s$/m);
});

Deno.test("formatSummaryTable() shows every latency row with p99.9 and - for empty rows", () => {
  const text = formatSummaryTable(summaryFixture(), { color: false });
  const header = lineStartingWith(text, "count");
  assert.deepEqual(header.trim().split(/ +/), [
    "count",
    "min",
    "p50",
    "p90",
    "p99",
    "p99.9",
    "max",
    "mean",
  ]);
  assert.deepEqual(lineStartingWith(text, "connect ").trim().split(/ +/), [
    "connect",
    "10,012",
    "0.35",
    "3.4",
    "8.1",
    "45.2",
    "42.5",
    "1,250",
    "4.2",
  ]);
  assert.match(lineStartingWith(text, "ack "), /119,650 .* 12\.3 /);
  assert.match(lineStartingWith(text, "e2e "), /119,690 .* 14\.8 /);
  assert.deepEqual(lineStartingWith(text, "lateness").trim().split(/ +/), [
    "lateness",
    "0",
    "-",
    "-",
    "-",
    "-",
    "-",
    "-",
    "-",
  ]);
  assert.match(text, /ack and e2e are measured from the intended send time/);
  // Right-aligned columns: every row of the table is as wide as the header.
  const widths = ["count", "connect ", "ack ", "e2e ", "lateness"].map((start) =>
    lineStartingWith(text, start).length
  );
  assert.ok(widths.every((width) => width === widths[0]), `widths ${widths}`);
});

Deno.test("formatSummaryTable() lists errors by count, then the samples", () => {
  const text = formatSummaryTable(summaryFixture(), { color: false });
  const errors = text.slice(text.indexOf("\nErrors\n"), text.indexOf("\nGenerator\n"));
  assert.ok(errors.indexOf("connectRefused") < errors.indexOf("connectTimeout"));
  assert.ok(!errors.includes("publishFailed"), "categories with no errors are left out");
  assert.match(errors, /connectRefused +10\n/);
  assert.match(errors, /connect ECONNREFUSED 127\.0\.0\.1:1883/);

  const clean = formatSummaryTable(
    summaryFixture({
      connections: { ...summaryFixture().connections, errors: {} },
      errorSamples: [],
    }),
    { color: false },
  );
  assert.match(clean, /^Errors\n {2}none$/m);
});

Deno.test("formatSummaryTable() shows generator health and each reason of a bound verdict", () => {
  const ok = formatSummaryTable(summaryFixture(), { color: false });
  assert.match(lineStartingWith(ok, "workers"), / 2$/);
  assert.match(lineStartingWith(ok, "CPU"), /87\.4% \(57\.2 s of CPU time\)$/);
  assert.match(lineStartingWith(ok, "memory"), /RSS 123\.4 MB, peak 150\.2 MB$/);
  assert.match(lineStartingWith(ok, "event-loop lag"), /p99 4\.2 ms$/);
  assert.match(lineStartingWith(ok, "verdict"), / ok$/);

  const reasons = [
    "sends were late: lateness p99 62 ms > 50 ms",
    "CPU saturated: 190% of 2 core(s)",
  ];
  const bound = formatSummaryTable(
    summaryFixture({
      generator: {
        ...summaryFixture().generator,
        verdict: "generator-bound",
        verdictReasons: reasons,
      },
    }),
    { color: true },
  );
  assert.ok(lineStartingWith(bound, "verdict").endsWith("\x1b[33mgenerator-bound\x1b[39m"));
  for (const reason of reasons) {
    assert.match(lineStartingWith(bound, `- ${reason}`), /^ +- /);
  }
});

Deno.test("formatSummaryTable() marks thresholds passed and failed with their actual values", () => {
  const summary = summaryFixture({
    thresholds: [
      { expression: "e2e.p99<250ms", actual: 14.8, ok: true },
      { expression: "lost==0", actual: 10, ok: false },
      { expression: "connections.failed<1%", actual: 0.02, ok: true },
      { expression: "rates.receivedPerSec>=1900", actual: 1994.8, ok: true },
      { expression: "sent>0", actual: null, ok: false },
    ],
  });
  const plain = formatSummaryTable(summary, { color: false });
  assert.match(plain, /\nThresholds\n/);
  assert.match(lineStartingWith(plain, "e2e.p99<250ms"), / 14\.8 ms {2}✓ ok$/);
  assert.match(lineStartingWith(plain, "lost==0"), / 10 {2}✗ FAILED$/);
  assert.match(lineStartingWith(plain, "connections.failed<1%"), / 0\.02% {2}✓ ok$/);
  assert.match(lineStartingWith(plain, "rates.receivedPerSec"), / 1,995 msg\/s {2}✓ ok$/);
  assert.match(lineStartingWith(plain, "sent>0"), / missing {2}✗ FAILED$/);

  const colored = formatSummaryTable(summary, { color: true });
  assert.ok(lineStartingWith(colored, "lost==0").endsWith("\x1b[31m✗ FAILED\x1b[39m"));
  assert.ok(lineStartingWith(colored, "e2e.p99<250ms").endsWith("\x1b[32m✓ ok\x1b[39m"));
});

Deno.test("formatSummaryTable() writes no ANSI codes when color is false", () => {
  const summary = summaryFixture({
    interrupted: true,
    aborted: "broker refused",
    ledger: { probe: true, balanced: false, note: "sent (3) != received (4) + lost (0)" },
    generator: {
      ...summaryFixture().generator,
      verdict: "generator-bound",
      verdictReasons: ["event loop lagged"],
    },
    thresholds: [{ expression: "lost==0", actual: 1, ok: false }],
  });
  assert.ok(!formatSummaryTable(summary, { color: false }).includes(ANSI));
  assert.ok(formatSummaryTable(summary, { color: true }).includes(ANSI));
});

Deno.test("formatSummaryTable() leaves out histograms, timeline and config", () => {
  const text = formatSummaryTable(summaryFixture(), { color: false });
  assert.ok(!text.includes("HISTFAAA"));
  assert.ok(!text.includes("***"));
  assert.ok(!/timeline/i.test(text));
});
