import assert from "node:assert/strict";
import { formatDurationMs, parseDurationMs } from "../../lib/config/duration.ts";
import { UsageError } from "../../lib/config/usage_error.ts";
import { createRandom, nextInt } from "../../lib/fleet/random.ts";

Deno.test("parseDurationMs() accepts 500ms, 5s, 2m and 1h", () => {
  assert.equal(parseDurationMs("500ms", "--interval"), 500);
  assert.equal(parseDurationMs("5s", "--interval"), 5_000);
  assert.equal(parseDurationMs("2m", "--interval"), 120_000);
  assert.equal(parseDurationMs("1h", "--interval"), 3_600_000);
});

Deno.test("parseDurationMs() accepts microseconds as fractional milliseconds", () => {
  assert.equal(parseDurationMs("250us", "--interval"), 0.25);
  assert.equal(parseDurationMs("1000us", "--interval"), 1);
});

Deno.test("parseDurationMs() accepts decimals with any unit", () => {
  assert.equal(parseDurationMs("1.5s", "--interval"), 1_500);
  assert.equal(parseDurationMs("0.5m", "--interval"), 30_000);
  assert.equal(parseDurationMs("2.25h", "--interval"), 8_100_000);
  assert.equal(parseDurationMs("12.5ms", "--interval"), 12.5);
});

Deno.test("parseDurationMs() accepts a bare 0 and a unit-suffixed 0", () => {
  assert.equal(parseDurationMs("0", "--duration"), 0);
  assert.equal(parseDurationMs("0s", "--duration"), 0);
  assert.equal(parseDurationMs("0ms", "--duration"), 0);
});

Deno.test("parseDurationMs() ignores surrounding whitespace", () => {
  assert.equal(parseDurationMs("  5s\t", "--interval"), 5_000);
  assert.equal(parseDurationMs("\n0 ", "--duration"), 0);
});

Deno.test("parseDurationMs() rejects numbers without a unit, except 0", () => {
  for (const text of ["5", "1.5", "100"]) {
    assert.throws(() => parseDurationMs(text, "--interval"), UsageError, text);
  }
});

Deno.test("parseDurationMs() rejects junk, negatives, inner spaces, unknown units and empty text", () => {
  for (
    const text of [
      "abc",
      "-1s",
      "5 s",
      "",
      "   ",
      "s",
      "5sec",
      "5S",
      "5d",
      "1e3s",
      ".5s",
      "5.s",
      "1.2.3s",
      "+5s",
      "5s5",
      "5ms s",
      "NaN",
      "Infinity",
    ]
  ) {
    assert.throws(
      () => parseDurationMs(text, "--interval"),
      UsageError,
      JSON.stringify(text),
    );
  }
});

Deno.test("parseDurationMs() names the field and quotes the text in its error", () => {
  assert.throws(
    () => parseDurationMs("5 s", "--connect-timeout"),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.name, "UsageError");
      assert.match(error.message, /^--connect-timeout: /);
      assert.ok(error.message.includes('"5 s"'), error.message);
      assert.ok(error.message.includes('"500ms"'), error.message);
      return true;
    },
  );
  assert.throws(() => parseDurationMs("abc", "stages[2].duration"), {
    message: /^stages\[2\]\.duration: /,
  });
});

Deno.test("formatDurationMs() picks the largest unit that divides exactly", () => {
  assert.equal(formatDurationMs(0), "0");
  assert.equal(formatDurationMs(250), "250ms");
  assert.equal(formatDurationMs(0.25), "0.25ms");
  assert.equal(formatDurationMs(1_000), "1s");
  assert.equal(formatDurationMs(1_500), "1.5s");
  assert.equal(formatDurationMs(90_000), "90s");
  assert.equal(formatDurationMs(120_000), "2m");
  assert.equal(formatDurationMs(5_400_000), "90m");
  assert.equal(formatDurationMs(7_200_000), "2h");
});

Deno.test("formatDurationMs() output parses back to the same milliseconds", () => {
  for (const ms of [0, 0.25, 1, 999, 1_000, 1_500, 59_999, 60_000, 90_000, 3_600_000, 86_400_000]) {
    assert.equal(parseDurationMs(formatDurationMs(ms), "field"), ms, `${ms} ms`);
  }
});

const FUZZ_ALPHABET = [
  ..."0123456789",
  ".",
  "-",
  "+",
  " ",
  "\t",
  "u",
  "m",
  "s",
  "h",
  "d",
  "e",
  "x",
  "_",
  "µ",
  "%",
  "/",
  '"',
];

Deno.test("parseDurationMs() throws only UsageError, and returns only finite ms >= 0, for 2,000 random strings", () => {
  const random = createRandom(20_260_101, 0);
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < 2_000; i++) {
    const length = nextInt(random, 0, 8);
    let text = "";
    for (let j = 0; j < length; j++) {
      text += FUZZ_ALPHABET[nextInt(random, 0, FUZZ_ALPHABET.length - 1)];
    }
    let ms: number;
    try {
      ms = parseDurationMs(text, "--fuzz");
    } catch (error) {
      assert.ok(error instanceof UsageError, `${JSON.stringify(text)} threw ${error}`);
      assert.match(error.message, /^--fuzz: /);
      rejected++;
      continue;
    }
    assert.ok(Number.isFinite(ms) && ms >= 0, `${JSON.stringify(text)} gave ${ms}`);
    accepted++;
  }
  // The alphabet must reach both outcomes, or the property says nothing.
  assert.ok(accepted > 0 && rejected > 0, `accepted ${accepted}, rejected ${rejected}`);
});
