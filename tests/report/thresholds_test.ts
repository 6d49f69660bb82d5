import assert from "node:assert/strict";
import { UsageError } from "../../lib/config/usage_error.ts";
import { evaluateThresholds, parseThreshold, type Threshold } from "../../lib/report/thresholds.ts";

function latency(p99Ms: number) {
  return {
    count: 100,
    min: 1,
    p50: 5,
    p90: 8,
    p99: p99Ms,
    p999: 30,
    max: 40,
    mean: 6,
  };
}

const SUMMARY = {
  connections: {
    target: 200,
    connected: 198,
    peak: 200,
    failed: 2,
    reconnects: 3,
    errors: { connectRefused: 2 },
  },
  messages: {
    scheduled: 10_000,
    sent: 9_990,
    acked: 9_990,
    failed: 0,
    backpressured: 10,
    received: 9_985,
    lost: 5,
    duplicates: 0,
    reordered: 1,
  },
  rates: {
    targetPerSec: 2000,
    sentPerSec: 1998,
    ackedPerSec: 1998,
    receivedPerSec: 1997,
  },
  latencyMs: {
    connect: latency(900),
    ack: latency(12),
    e2e: latency(180),
    lateness: latency(2),
  },
  generator: {
    workers: 2,
    cpuPercent: 40,
    rssBytes: 90_000_000,
    eventLoopLagP99Ms: 3,
    verdict: "ok",
  },
};

function evaluateOne(expression: string, summary: unknown = SUMMARY) {
  const [result] = evaluateThresholds([parseThreshold(expression)], summary);
  return result;
}

Deno.test("parseThreshold() parses every documented example", () => {
  const cases: [string, Omit<Threshold, "expression">][] = [
    ["e2e.p99<250ms", {
      path: ["latencyMs", "e2e", "p99"],
      op: "<",
      value: 250,
      percent: false,
    }],
    ["ack.p999<1s", {
      path: ["latencyMs", "ack", "p999"],
      op: "<",
      value: 1000,
      percent: false,
    }],
    ["lost==0", {
      path: ["messages", "lost"],
      op: "==",
      value: 0,
      percent: false,
    }],
    [
      "connections.failed<1%",
      { path: ["connections", "failed"], op: "<", value: 1, percent: true },
    ],
    [
      "rates.receivedPerSec>=1900",
      {
        path: ["rates", "receivedPerSec"],
        op: ">=",
        value: 1900,
        percent: false,
      },
    ],
    [
      "connect.max<=2s",
      {
        path: ["latencyMs", "connect", "max"],
        op: "<=",
        value: 2000,
        percent: false,
      },
    ],
    ["messages.failed==0", {
      path: ["messages", "failed"],
      op: "==",
      value: 0,
      percent: false,
    }],
    ["duplicates==0", {
      path: ["messages", "duplicates"],
      op: "==",
      value: 0,
      percent: false,
    }],
  ];
  for (const [expression, expected] of cases) {
    assert.deepEqual(
      parseThreshold(expression),
      { expression, ...expected },
      expression,
    );
  }
});

Deno.test("parseThreshold() accepts whitespace, units, separators and full paths", () => {
  const cases: [string, Partial<Threshold>][] = [
    ["  e2e.p99 < 250ms ", { expression: "e2e.p99 < 250ms", value: 250 }],
    ["lateness.p99<500us", {
      path: ["latencyMs", "lateness", "p99"],
      value: 0.5,
    }],
    ["e2e.mean<12.5", { value: 12.5 }],
    ["e2e.p50 != 0", { op: "!=", value: 0 }],
    ["connect.p90<1m", { value: 60_000 }],
    ["e2e.count>1_000", { path: ["latencyMs", "e2e", "count"], value: 1000 }],
    ["latencyMs.ack.p99<20ms", {
      path: ["latencyMs", "ack", "p99"],
      value: 20,
    }],
    ["rates.sentPerSec > 1_900", { value: 1900 }],
    ["generator.eventLoopLagP99Ms<50", {
      path: ["generator", "eventLoopLagP99Ms"],
    }],
    ["connections.errors.notAuthorized==0", {
      path: ["connections", "errors", "notAuthorized"],
    }],
    ["lost<0.1%", { path: ["messages", "lost"], value: 0.1, percent: true }],
    ["messages.sent>=99 %", {
      path: ["messages", "sent"],
      value: 99,
      percent: true,
    }],
  ];
  for (const [expression, expected] of cases) {
    const parsed = parseThreshold(expression);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(
        parsed[key as keyof Threshold],
        value,
        `${expression} ${key}`,
      );
    }
  }
});

Deno.test("parseThreshold() rejects malformed expressions with a UsageError", () => {
  const cases: [string, RegExp][] = [
    [
      "e2e.p99<",
      /"e2e\.p99<": expected a number or a duration like "250ms" after "<"$/,
    ],
    ["nope>1", /unknown metric "nope"; use connect\|ack\|e2e\|lateness/],
    ["lost=0", /unknown operator "="; use "=="/],
    [
      "e2e.p99<abc",
      /--threshold "e2e\.p99<abc": expected a number or a duration/,
    ],
    ["", /empty threshold/],
    ["   ", /empty threshold/],
    ["lost==0==1", /more than one operator/],
    ["lost", /missing operator/],
    ["<5", /missing metric before "<"/],
    ["e2e.p95<1s", /stat of count, min, p50, p90, p99, p999, max, mean/],
    ["e2e<1s", /unknown metric "e2e"/],
    ["messages.nope==0", /messages has scheduled, sent/],
    ["connections.errors==0", /connections has target/],
    ["generator.verdict==0", /generator has workers/],
    ["lost<5ms", /messages\.lost is not a latency/],
    ["e2e.p99<5%", /"%" is not defined for latencyMs\.e2e\.p99/],
    ["messages.scheduled<5%", /"%" is not defined for messages\.scheduled/],
    ["rates.sentPerSec>1e3", /expected a number after ">"/],
    ["lost<x%", /expected a number before "%"/],
    ["e2e.p99<250 ms", /expected a number or a duration/],
  ];
  for (const [expression, message] of cases) {
    assert.throws(() => parseThreshold(expression), UsageError, expression);
    assert.throws(() => parseThreshold(expression), message, expression);
  }
});

Deno.test("parseThreshold() hints at the expression shape for an unknown metric", () => {
  try {
    parseThreshold("nope>1");
    assert.fail("expected a UsageError");
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.match(error.hint ?? "", /e2e\.p99<250ms/);
  }
});

Deno.test("evaluateThresholds() passes and fails against a summary", () => {
  const cases: [string, number, boolean][] = [
    ["e2e.p99<250ms", 180, true],
    ["e2e.p99<100ms", 180, false],
    ["ack.p999<1s", 30, true],
    ["connect.max<=40", 40, true],
    ["connect.max<40", 40, false],
    ["lost==0", 5, false],
    ["duplicates==0", 0, true],
    ["messages.failed!=0", 0, false],
    ["rates.receivedPerSec>=1900", 1997, true],
    ["rates.receivedPerSec>1997", 1997, false],
    ["generator.cpuPercent<80", 40, true],
    ["connections.errors.connectRefused==0", 2, false],
  ];
  for (const [expression, actual, ok] of cases) {
    assert.deepEqual(
      evaluateOne(expression),
      { expression, actual, ok },
      expression,
    );
  }
});

Deno.test("evaluateThresholds() converts percent thresholds to their base", () => {
  assert.deepEqual(evaluateOne("connections.failed<1%"), {
    expression: "connections.failed<1%",
    actual: 1,
    ok: false,
  });
  assert.equal(evaluateOne("connections.failed<=1%").ok, true);
  const lost = evaluateOne("lost<0.1%");
  assert.ok(
    lost.actual !== null && Math.abs(lost.actual - (5 / 9_990) * 100) < 1e-12,
  );
  assert.equal(lost.ok, true);
  assert.equal(evaluateOne("messages.sent>=99.9%").ok, true);
  assert.equal(evaluateOne("messages.sent>=99.95%").ok, false);
});

Deno.test("evaluateThresholds() fails a threshold whose value or base is missing", () => {
  assert.deepEqual(evaluateOne("lost==0", { messages: {} }), {
    expression: "lost==0",
    actual: null,
    ok: false,
  });
  assert.equal(evaluateOne("e2e.p99<1s", null).actual, null);
  assert.equal(
    evaluateOne("generator.workers>0", { generator: { workers: "2" } }).actual,
    null,
  );
  const zeroBase = { messages: { sent: 0, lost: 0 } };
  assert.deepEqual(evaluateOne("lost<1%", zeroBase), {
    expression: "lost<1%",
    actual: null,
    ok: false,
  });
});

Deno.test("evaluateThresholds() counts an error category absent from the summary as 0", () => {
  assert.deepEqual(evaluateOne("connections.errors.notAuthorized==0"), {
    expression: "connections.errors.notAuthorized==0",
    actual: 0,
    ok: true,
  });
  assert.equal(evaluateOne("connections.errors.constructor==0").actual, 0);
  assert.equal(
    evaluateOne("connections.errors.notAuthorized==0", {}).actual,
    null,
  );
});

Deno.test("parseThreshold() throws only UsageError on 2,000 random expressions", () => {
  // Seeded so a failure reproduces.
  let state = 0x9e3779b9;
  const nextRandom = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(nextRandom() * list.length)];
  const characters = [..."abcdefghijklmnopqrstuvwxyzA0123456789._%<>=! "];
  const randomText = (maxLength: number) =>
    Array.from(
      { length: Math.floor(nextRandom() * maxLength) },
      () => pick(characters),
    ).join("");
  const metrics = [
    "e2e.p99",
    "ack.max",
    "lost",
    "connections.failed",
    "connections.errors.__proto__",
    "messages.sent",
    "rates.sentPerSec",
    "latencyMs.e2e.p50",
    "e2e",
    "",
  ];
  const ops = ["<", "<=", ">", ">=", "==", "!=", "=", "=>", "<>", ""];
  const values = [
    "0",
    "1_000",
    "2.5",
    "1e3",
    "_1",
    "1.",
    "250ms",
    "1s",
    "500us",
    "2h",
    "3%",
    "",
  ];
  let parsedCount = 0;
  for (let i = 0; i < 2_000; i++) {
    // Half are noise; half follow the expression shape with pieces that may be wrong,
    // so both the rejection and the acceptance paths are exercised.
    const expression = i % 2 === 0
      ? randomText(16)
      : pick(metrics) + pick(["", " "]) + pick(ops) + pick(["", " "]) +
        pick(values) +
        (nextRandom() < 0.2 ? randomText(3) : "");
    try {
      const threshold = parseThreshold(expression);
      assert.ok(Number.isFinite(threshold.value), expression);
      evaluateThresholds([threshold], SUMMARY);
      parsedCount++;
    } catch (error) {
      if (!(error instanceof UsageError)) {
        throw new Error(`non-usage error for ${JSON.stringify(expression)}`, {
          cause: error,
        });
      }
    }
  }
  assert.ok(parsedCount > 100 && parsedCount < 1_900, `parsed ${parsedCount}`);
});
