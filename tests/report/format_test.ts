import assert from "node:assert/strict";
import {
  formatBytes,
  formatCount,
  formatElapsed,
  formatMs,
  formatMsValue,
  formatNumber,
  formatPercent,
  formatRate,
  paint,
  truncateVisible,
  visibleLength,
} from "../../lib/report/format.ts";

Deno.test("formatNumber() groups thousands and keeps the requested decimals", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(999), "999");
  assert.equal(formatNumber(1234.56, 1), "1,234.6");
  assert.equal(formatNumber(1_234_567), "1,234,567");
  assert.equal(formatNumber(-9876.5, 2), "-9,876.50");
  assert.equal(formatNumber(-0.01, 1), "0.0");
  assert.equal(formatNumber(Number.NaN), "-");
  assert.equal(formatNumber(Number.POSITIVE_INFINITY), "-");
});

Deno.test("formatCount() rounds to whole numbers with thousands separators", () => {
  assert.equal(formatCount(10_000), "10,000");
  assert.equal(formatCount(0), "0");
  assert.equal(formatCount(999.6), "1,000");
  assert.equal(formatCount(123_456_789), "123,456,789");
});

Deno.test("formatRate() shows one decimal below 10 msg/s and whole numbers above", () => {
  assert.equal(formatRate(2003.4), "2,003 msg/s");
  assert.equal(formatRate(2.5), "2.5 msg/s");
  assert.equal(formatRate(9.96), "10 msg/s");
  assert.equal(formatRate(10), "10 msg/s");
  assert.equal(formatRate(0), "0 msg/s");
});

Deno.test("formatMs() keeps ms and picks decimals by magnitude", () => {
  assert.equal(formatMs(0.35), "0.35 ms");
  assert.equal(formatMs(4.2), "4.2 ms");
  assert.equal(formatMs(42.34), "42.3 ms");
  assert.equal(formatMs(250), "250 ms");
  assert.equal(formatMs(1250), "1,250 ms");
  assert.equal(formatMs(0), "0 ms");
  assert.equal(formatMs(0.999), "1.0 ms");
  assert.equal(formatMs(99.96), "100 ms");
});

Deno.test("formatMsValue() is formatMs() without the unit", () => {
  for (const ms of [0, 0.35, 4.2, 250, 1250, 3_600_000]) {
    assert.equal(`${formatMsValue(ms)} ms`, formatMs(ms));
  }
});

Deno.test("formatBytes() uses decimal units with one decimal", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1500), "1.5 kB");
  assert.equal(formatBytes(123_400_000), "123.4 MB");
  assert.equal(formatBytes(999_960), "1.0 MB");
  assert.equal(formatBytes(2_500_000_000), "2.5 GB");
  assert.equal(formatBytes(0), "0 B");
});

Deno.test("formatPercent() keeps small shares visible and drops decimals from 100", () => {
  assert.equal(formatPercent(12.5), "12.5%");
  assert.equal(formatPercent(0.02), "0.02%");
  assert.equal(formatPercent(0), "0%");
  assert.equal(formatPercent(99.96), "100%");
  assert.equal(formatPercent(150), "150%");
  assert.equal(formatPercent(1234), "1,234%");
});

Deno.test("formatElapsed() shows seconds, minutes and hours rounded down", () => {
  assert.equal(formatElapsed(0), "0s");
  assert.equal(formatElapsed(12_999), "12s");
  assert.equal(formatElapsed(65_000), "1m05s");
  assert.equal(formatElapsed(3_723_000), "1h02m03s");
  assert.equal(formatElapsed(-5), "0s");
});

Deno.test("paint() wraps text in ANSI codes only when color is true", () => {
  assert.equal(paint("ok", "green", false), "ok");
  assert.equal(paint("ok", "green", true), "\x1b[32mok\x1b[39m");
  assert.equal(paint("bold", "bold", true), "\x1b[1mbold\x1b[22m");
  for (const style of ["bold", "dim", "red", "green", "yellow"] as const) {
    const painted = paint("x", style, true);
    assert.notEqual(painted, "x");
    assert.equal(visibleLength(painted), 1);
  }
});

Deno.test("visibleLength() ignores escape sequences", () => {
  assert.equal(visibleLength("plain"), 5);
  assert.equal(visibleLength(`a${paint("bc", "red", true)}d`), 4);
  assert.equal(visibleLength("\r\x1b[2Kline"), "\rline".length);
});

Deno.test("truncateVisible() cuts to the width with an ellipsis and resets colour", () => {
  assert.equal(truncateVisible("short", 10), "short");
  assert.equal(truncateVisible("0123456789", 5), "0123…");
  const painted = `${paint("red text", "red", true)} and more`;
  const cut = truncateVisible(painted, 6);
  assert.equal(visibleLength(cut), 6);
  assert.equal(cut, "\x1b[31mred t\x1b[0m…");
});
