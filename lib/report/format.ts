/**
 * Number, size, duration and colour formatting shared by the reporters.
 *
 * Every helper is pure and locale-independent: output is the same on every machine
 * (`,` groups thousands, `.` separates decimals), so reports and tests are stable.
 */

/**
 * Formats `value` with `fractionDigits` decimals (default 0) and `,` between
 * thousands: `formatNumber(1234.56, 1)` → `"1,234.6"`. Non-finite values give `"-"`.
 */
export function formatNumber(value: number, fractionDigits = 0): string {
  if (!Number.isFinite(value)) return "-";
  const fixed = Math.abs(value).toFixed(fractionDigits);
  const [whole, fraction] = fixed.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  // A value that rounds to zero keeps no sign: "-0.0" reads like a measurement.
  const sign = value < 0 && Number(fixed) !== 0 ? "-" : "";
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}

/** Formats a count rounded to a whole number with thousands separators: `"10,000"`. */
export function formatCount(count: number): string {
  return formatNumber(Math.round(count));
}

/**
 * Formats a rate in messages per second: one decimal below 10 (`"2.5 msg/s"`), whole
 * numbers from 10 up (`"2,003 msg/s"`), and `"0 msg/s"` for zero.
 */
export function formatRate(perSec: number): string {
  if (perSec === 0) return "0 msg/s";
  // Decide on the rounded value so 9.96 becomes "10 msg/s", not "10.0 msg/s".
  const digits = Math.abs(perSec) < 9.95 ? 1 : 0;
  return `${formatNumber(perSec, digits)} msg/s`;
}

/**
 * Formats milliseconds as the number part of {@linkcode formatMs} (no unit): two
 * decimals below 1 ms (`"0.35"`), one below 100 ms (`"4.2"`, `"42.3"`), whole
 * milliseconds with separators from 100 ms up (`"250"`, `"1,250"`); `"0"` for zero.
 */
export function formatMsValue(ms: number): string {
  if (ms === 0) return "0";
  const abs = Math.abs(ms);
  // Thresholds sit at the rounding boundaries so 0.999 gives "1.0", not "1.00".
  const digits = abs < 0.995 ? 2 : abs < 99.95 ? 1 : 0;
  return formatNumber(ms, digits);
}

/**
 * Formats milliseconds, always in ms so values in one column compare at a glance:
 * `"0.35 ms"`, `"4.2 ms"`, `"250 ms"`, `"1,250 ms"` (rules of {@linkcode formatMsValue}).
 */
export function formatMs(ms: number): string {
  return `${formatMsValue(ms)} ms`;
}

const BYTE_UNITS = ["kB", "MB", "GB", "TB", "PB"] as const;

/**
 * Formats a size in bytes with decimal units (1 kB = 1,000 B): whole bytes below
 * 1 kB (`"512 B"`), otherwise one decimal in the largest fitting unit (`"123.4 MB"`).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "-";
  if (Math.abs(bytes) < 999.5) return `${formatCount(bytes)} B`;
  let value = bytes;
  let unitIndex = -1;
  // Stepping on the rounded value keeps 999,960 B from showing as "1000.0 kB".
  while (Math.abs(value) >= 999.95 && unitIndex < BYTE_UNITS.length - 1) {
    value /= 1000;
    unitIndex++;
  }
  return `${formatNumber(value, 1)} ${BYTE_UNITS[unitIndex]}`;
}

/**
 * Formats a value that is already a percentage (`12.5` → `"12.5%"`): two decimals
 * below 1 (`"0.02%"`, so a small share never reads as none), one below 100, whole
 * numbers with separators from 100 up (`"150%"`); `"0%"` for zero.
 */
export function formatPercent(percent: number): string {
  if (percent === 0) return "0%";
  const abs = Math.abs(percent);
  // Thresholds sit at the rounding boundaries so 99.96 gives "100%", not "100.0%".
  const digits = abs < 0.995 ? 2 : abs < 99.95 ? 1 : 0;
  return `${formatNumber(percent, digits)}%`;
}

/**
 * Formats a wall-clock span in milliseconds as whole seconds, rounded down:
 * `"12s"`, `"1m05s"`, `"1h02m03s"`; negative spans count as 0.
 */
export function formatElapsed(ms: number): string {
  const totalSec = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
  const hours = Math.floor(totalSec / 3600);
  const minutes = Math.floor((totalSec % 3600) / 60);
  const seconds = totalSec % 60;
  const ss = String(seconds).padStart(2, "0");
  if (hours > 0) {
    return `${hours}h${String(minutes).padStart(2, "0")}m${ss}s`;
  }
  if (minutes > 0) return `${minutes}m${ss}s`;
  return `${seconds}s`;
}

/** An ANSI style {@linkcode paint} can apply. */
export type PaintStyle = "bold" | "dim" | "red" | "green" | "yellow";

// Each style closes with its own reset (22 = normal intensity, 39 = default colour)
// rather than a full reset, so a red word inside bold text leaves the bold on.
const ANSI: Readonly<Record<PaintStyle, readonly [string, string]>> = {
  bold: ["\x1b[1m", "\x1b[22m"],
  dim: ["\x1b[2m", "\x1b[22m"],
  red: ["\x1b[31m", "\x1b[39m"],
  green: ["\x1b[32m", "\x1b[39m"],
  yellow: ["\x1b[33m", "\x1b[39m"],
};

/**
 * Wraps `text` in the ANSI codes of `style` when `color` is true; returns `text`
 * unchanged when it is false (the caller decides, e.g. from `NO_COLOR`).
 */
export function paint(text: string, style: PaintStyle, color: boolean): string {
  if (!color || text === "") return text;
  const [open, close] = ANSI[style];
  return `${open}${text}${close}`;
}

// The CSI sequences paint() and the live view emit (colours, clear-line); the escape
// character is the point of the pattern.
// deno-lint-ignore no-control-regex
const ANSI_PATTERN = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Length of `text` in terminal columns, ignoring ANSI escape sequences. */
export function visibleLength(text: string): number {
  return text.replace(ANSI_PATTERN, "").length;
}

/**
 * Cuts `text` to at most `widthColumns` visible columns, ending in `…` when cut. ANSI
 * sequences before the cut are kept whole and styling is reset after it, so a cut
 * never leaves the terminal coloured. Text that fits is returned unchanged.
 */
export function truncateVisible(text: string, widthColumns: number): string {
  if (visibleLength(text) <= widthColumns) return text;
  const keepColumns = Math.max(0, widthColumns - 1);
  let out = "";
  let styled = false;
  let plainFrom = 0;
  let columns = 0;
  const takePlain = (plain: string) => {
    const taken = plain.slice(0, keepColumns - columns);
    out += taken;
    columns += taken.length;
  };
  for (const match of text.matchAll(ANSI_PATTERN)) {
    takePlain(text.slice(plainFrom, match.index));
    if (columns >= keepColumns) break;
    out += match[0];
    styled = true;
    plainFrom = match.index + match[0].length;
  }
  if (columns < keepColumns) takePlain(text.slice(plainFrom));
  return `${out}${styled ? "\x1b[0m" : ""}…`;
}

/**
 * The header and rows as lines, each starting with `indent`: the first column
 * left-aligned, the others right-aligned, two spaces between columns (ANSI codes do
 * not count towards widths).
 */
export function alignColumns(
  header: readonly string[],
  rows: readonly string[][],
  indent = "",
): string[] {
  const widths = header.map((title, column) =>
    Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column])))
  );
  const pad = (cell: string, width: number, left: boolean) => {
    const space = " ".repeat(Math.max(0, width - visibleLength(cell)));
    return left ? cell + space : space + cell;
  };
  const render = (row: readonly string[]) =>
    indent + row.map((cell, column) => pad(cell, widths[column], column === 0)).join("  ");
  return [render(header), ...rows.map(render)];
}
