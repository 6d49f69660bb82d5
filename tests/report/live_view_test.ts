import assert from "node:assert/strict";
import {
  formatLiveLine,
  type LiveState,
  LiveView,
  type TextSink,
} from "../../lib/report/live_view.ts";
import { visibleLength } from "../../lib/report/format.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";

const ESCAPE = "\x1b";

class CollectingSink implements TextSink {
  readonly writes: string[] = [];
  write(text: string): void {
    this.writes.push(text);
  }
  get text(): string {
    return this.writes.join("");
  }
}

function liveState(overrides: Partial<LiveState> = {}): LiveState {
  return {
    phase: "running",
    elapsedMs: 65_000,
    durationMs: 120_000,
    phaseElapsedMs: 60_000,
    sensors: 10_000,
    settled: 10_000,
    point: {
      t: 65,
      connected: 9_998,
      sent: 2_003,
      acked: 1_999,
      received: 2_001,
      errors: 1,
      ackP50Ms: 0,
      ackP99Ms: 4.2,
      e2eP50Ms: 0,
      latenessP50Ms: 0,
      latenessP99Ms: 0,
      connectP50Ms: 0,
      connectP99Ms: 0,
      e2eP99Ms: 12.3,
      stage: 0,
      errorsByCategory: {},
      cpuPercent: 0,
      eventLoopLagMs: 0,
    },
    runId: "0a1b2c3d",
    errorsTotal: 12,
    totals: new RunMetrics(10).totals(),
    health: { cpuSeconds: 1.5, rssBytes: 80_000_000, eventLoopLagMs: 2 },
    ...overrides,
  };
}

Deno.test("formatLiveLine() shows phase, progress, elapsed, rates, errors and p99s", () => {
  const line = formatLiveLine(liveState(), { color: false, barWidth: 10 });
  assert.equal(
    line,
    "running  [#####.....] 50% 1m05s  conn 9,998  sent/ack/recv 2,003/1,999/2,001 msg/s" +
      "  err 12  p99 ack/e2e 4.2/12.3 ms",
  );
});

Deno.test("formatLiveLine() fills the progress bar to 50% halfway through", () => {
  const running = formatLiveLine(liveState(), { color: false, barWidth: 20 });
  assert.match(running, /\[#{10}\.{10}\] 50%/);
  const rampUp = formatLiveLine(
    liveState({ phase: "ramp-up", settled: 5_000, phaseElapsedMs: 3_000 }),
    { color: false, barWidth: 20 },
  );
  assert.match(rampUp, /^ramp-up {2}\[#{10}\.{10}\] 5,000\/10,000 /);
});

Deno.test("formatLiveLine() clamps the bar and leaves it out when there is no end", () => {
  const over = formatLiveLine(liveState({ phaseElapsedMs: 500_000 }), {
    color: false,
    barWidth: 4,
  });
  assert.match(over, /\[####\] 100%/);
  const open = formatLiveLine(liveState({ durationMs: 0 }), { color: false });
  assert.doesNotMatch(open, /\[|%/);
  assert.match(open, /^running {2}1m05s {2}conn /);
  // Once the publishing time is over, the bar stays full while the run drains.
  const draining = formatLiveLine(liveState({ phase: "draining" }), { color: false, barWidth: 4 });
  assert.match(draining, /^draining \[####\] 100% /);
  const noBar = formatLiveLine(liveState(), { color: false, barWidth: 0 });
  assert.match(noBar, /^running {2}50% 1m05s /);
});

Deno.test("formatLiveLine() shows - for a p99 of a second without samples", () => {
  const point = { ...liveState().point, ackP99Ms: 0, e2eP99Ms: 0 };
  const line = formatLiveLine(liveState({ point }), { color: false });
  assert.match(line, /p99 ack\/e2e -\/- ms$/);
});

Deno.test("formatLiveLine() colours only when color is true", () => {
  assert.ok(!formatLiveLine(liveState(), { color: false }).includes(ESCAPE));
  const colored = formatLiveLine(liveState(), { color: true });
  assert.ok(colored.startsWith("\x1b[32mrunning"), JSON.stringify(colored));
  assert.ok(colored.includes("\x1b[31merr 12\x1b[39m"), JSON.stringify(colored));
  const noErrors = formatLiveLine(liveState({ errorsTotal: 0 }), { color: true });
  assert.ok(noErrors.includes("  err 0  "), "no colour on a zero error count");
});

Deno.test("LiveView redraws in place on a terminal and finish() ends the line", () => {
  const sink = new CollectingSink();
  const view = new LiveView({ sink, isTerminal: true, color: false, widthColumns: 200 });
  view.update(liveState({ phase: "ramp-up", settled: 2_500 }));
  view.update(liveState());
  assert.equal(sink.writes.length, 2);
  for (const write of sink.writes) {
    assert.ok(write.startsWith("\r\x1b[2K"), JSON.stringify(write));
    assert.ok(!write.includes("\n"), JSON.stringify(write));
  }
  assert.match(sink.writes[1], /running {2}\[#{10}\.{10}\] 50%/);
  view.finish();
  assert.equal(sink.writes.at(-1), "\n");
  view.finish();
  assert.equal(sink.writes.length, 3, "a second finish() writes nothing");
});

Deno.test("LiveView writes one plain line per update off a terminal", () => {
  const sink = new CollectingSink();
  const view = new LiveView({ sink, isTerminal: false, color: true, widthColumns: 40 });
  view.update(liveState({ phase: "ramp-up", settled: 5_000 }));
  view.update(liveState());
  view.update(liveState({ phase: "stopped" }));
  view.finish();
  assert.equal(sink.writes.length, 3);
  assert.ok(!sink.text.includes(ESCAPE));
  assert.ok(!sink.text.includes("\r"));
  const lines = sink.text.split("\n");
  assert.equal(lines.length, 4);
  assert.equal(lines[3], "");
  assert.match(lines[0], /^ramp-up /);
  assert.match(lines[1], /^running .* 50% /);
  assert.match(lines[2], /^stopped /);
  assert.ok(lines[1].length > 40, "off a terminal lines are not cut to the width");
});

Deno.test("LiveView keeps a terminal line within widthColumns", () => {
  for (const widthColumns of [120, 100, 80, 40]) {
    const sink = new CollectingSink();
    const view = new LiveView({ sink, isTerminal: true, color: true, widthColumns });
    view.update(liveState({ point: { ...liveState().point, sent: 1_234_567 } }));
    const line = sink.writes[0].slice("\r\x1b[2K".length);
    assert.ok(visibleLength(line) <= widthColumns, `${visibleLength(line)} > ${widthColumns}`);
  }
});

Deno.test("LiveView fits a 10,000-sensor line in 100 columns with both p99s", () => {
  const sink = new CollectingSink();
  new LiveView({ sink, isTerminal: true, color: true, widthColumns: 100 }).update(liveState());
  const line = sink.writes[0].slice("\r\x1b[2K".length);
  assert.ok(visibleLength(line) <= 100);
  assert.match(line, /p99 (ack\/e2e )?4\.2\/12\.3 ?ms$/, JSON.stringify(line));
});

Deno.test("LiveView narrows the bar before cutting the line", () => {
  const sink = new CollectingSink();
  const full = formatLiveLine(liveState(), { color: false });
  const view = new LiveView({
    sink,
    isTerminal: true,
    color: false,
    widthColumns: full.length - 5,
  });
  view.update(liveState());
  const line = sink.writes[0].slice("\r\x1b[2K".length);
  assert.match(line, /\[#+\.+\] 50%/);
  assert.ok(line.endsWith(" ms"), "the tail is kept when a narrower bar fits");

  const narrow = new CollectingSink();
  new LiveView({ sink: narrow, isTerminal: true, color: true, widthColumns: 30 }).update(
    liveState(),
  );
  const cut = narrow.writes[0].slice("\r\x1b[2K".length);
  assert.ok(cut.endsWith("…"), JSON.stringify(cut));
  assert.equal(visibleLength(cut), 29);
});

Deno.test("LiveView.onFact() draws seconds, puts a note on its own line and ends at the summary", () => {
  const sink = new CollectingSink();
  const view = new LiveView({ sink, isTerminal: true, color: false, widthColumns: 200 });
  view.onFact({ kind: "second", ...liveState() });
  view.onFact({ kind: "note", text: "note: something to know" });
  view.onFact({ kind: "phase", phase: "draining", elapsedMs: 66_000 });
  view.onFact({ kind: "second", ...liveState({ phase: "draining" }) });
  assert.equal(sink.writes[1], "\n", "the redrawn line is ended before the note");
  assert.equal(sink.writes[2], "note: something to know\n");
  assert.equal(sink.writes.length, 4, "a phase change draws nothing of its own");
  view.onFact({ kind: "summary", summary: {} as never });
  assert.equal(sink.writes.at(-1), "\n");
});

Deno.test("LiveView keeps both p99s on screen at 80 columns, every phase", () => {
  for (const phase of ["ramp-up", "running", "draining"] as const) {
    const sink = new CollectingSink();
    new LiveView({ sink, isTerminal: true, color: true, widthColumns: 80 })
      .update(liveState({ phase, settled: 2_500 }));
    const line = sink.text.replace("\r\x1b[2K", "");
    assert.ok(visibleLength(line) <= 79, `${visibleLength(line)}: ${line}`);
    assert.match(line, /p99 (ack\/e2e )?4\.2\/12\.3 ?ms/, line);
  }
});
