/**
 * The HTML report's own styles: one column on a phone, two chart columns on a wide
 * screen, tables that scroll sideways instead of squeezing, and a print layout.
 *
 * @module
 */

/** The report's CSS (uPlot's own styles are inlined beside it). */
export const REPORT_STYLE = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --line: #d8dde6; --ok: #1a7f37; --bad: #c62828; --warn: #b26a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 1200px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.4rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 0 0 8px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px; margin: 0 0 14px; }
.sub { color: var(--muted); margin: 0 0 10px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600; color: #fff; }
.verdict.pass { background: var(--ok); } .verdict.fail { background: var(--bad); } .verdict.warn { background: var(--warn); }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 8px 16px; margin: 10px 0 0; }
.facts div { border-left: 3px solid var(--line); padding-left: 8px; }
.facts b { display: block; font-size: 1.15rem; }
.facts span { color: var(--muted); font-size: 0.85rem; }
.charts { display: grid; grid-template-columns: 1fr; gap: 14px; }
@media (min-width: 900px) { .charts { grid-template-columns: 1fr 1fr; } }
.chart { min-width: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: #fff; }
.chart h3 { font-size: 0.95rem; margin: 2px 4px 6px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 600; }
td.ok { color: var(--ok); font-weight: 600; } td.fail { color: var(--bad); font-weight: 600; }
ul { margin: 0; padding-left: 20px; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-size: 0.85rem; }
footer { color: var(--muted); font-size: 0.8rem; text-align: center; padding: 8px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section, .chart { break-inside: avoid; border-color: #999; }
  .charts { grid-template-columns: 1fr 1fr; }
  .scroll { overflow: visible; }
}
`;
