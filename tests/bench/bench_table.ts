/**
 * Text output of the benchmark: number formats and a plain aligned table.
 *
 * @module
 */

/** A table column: its header and whether its cells align right (numbers). */
export interface Column {
  /** Header text. */
  readonly header: string;
  /** Right-align the cells (numbers); default left. */
  readonly right?: boolean;
}

/** Renders `rows` under `columns` as aligned text, two spaces between columns. */
export function formatTable(columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? "").length))
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? "";
        return column.right ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(columns.map((column) => column.header)), rule, ...rows.map(line)].join("\n");
}

/** A whole number with thousands separators (`12,345`), or `n/a`. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? "n/a" : Math.round(value).toLocaleString("en-US");
}

/** A number with `digits` decimals, or `n/a`. */
export function formatFixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? "n/a" : value.toFixed(digits);
}

/** Milliseconds with one decimal and the unit (`4.2 ms`), or `n/a`. */
export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? "n/a" : `${value.toFixed(1)} ms`;
}
