import type { RunFact, RunPhase, SecondFact } from "../metrics/facts.ts";
import {
  formatCount,
  formatElapsed,
  formatMsValue,
  paint,
  type PaintStyle,
  truncateVisible,
  visibleLength,
} from "./format.ts";

/** What the live view shows: one second of the run. */
export type LiveState = Omit<SecondFact, "kind">;

/** Where the live view writes; a terminal or a log, both take text. */
export interface TextSink {
  /** Writes `text` as given (no newline added). */
  write(text: string): void;
}

/** Default width of the progress bar, in characters between the brackets. */
export const DEFAULT_BAR_WIDTH = 20;
/** Default terminal width, in columns. */
export const DEFAULT_WIDTH_COLUMNS = 80;

// Narrowest bar worth drawing; below it the line goes without one (the count or
// percentage next to it still shows progress).
const MIN_BAR_WIDTH = 5;
const PHASE_WIDTH = "draining".length;
const PHASE_STYLE: Readonly<Record<RunPhase, PaintStyle>> = {
  "ramp-up": "yellow",
  running: "green",
  draining: "yellow",
  stopped: "dim",
};
// Widest first; the last, 0, leaves the bar out before the line has to be cut.
const BAR_WIDTHS_TO_TRY = [DEFAULT_BAR_WIDTH, 15, 10, MIN_BAR_WIDTH, 0];
const CLEAR_LINE = "\r\x1b[2K";

function fraction(done: number, total: number): number {
  if (total <= 0) return 1;
  return Math.min(1, Math.max(0, done / total));
}

/** The bar (when `barWidth` > 0) and the count or percentage it stands for. */
function formatProgress(state: LiveState, barWidth: number, compact = false): string[] {
  let done: number;
  let text: string;
  if (state.phase === "ramp-up") {
    done = fraction(state.settled, state.sensors);
    text = compact
      ? `${Math.floor(done * 100)}%`
      : `${formatCount(state.settled)}/${formatCount(state.sensors)}`;
  } else if (state.phase === "running" && state.durationMs > 0) {
    done = fraction(state.phaseElapsedMs, state.durationMs);
    text = `${Math.floor(done * 100)}%`;
  } else if (state.durationMs > 0) {
    // Draining or stopped: the publishing time is over.
    done = 1;
    text = "100%";
  } else {
    return [];
  }
  if (barWidth <= 0) return [text];
  const cells = Math.round(done * barWidth);
  return [`[${"#".repeat(cells)}${".".repeat(barWidth - cells)}]`, text];
}

function formatP99(ms: number): string {
  return ms === 0 ? "-" : formatMsValue(ms);
}

/**
 * Formats one line of the live view (no newline): phase, a progress bar with its count
 * or percentage (ramp-up: settled of sensors; running: phase time of duration; none in
 * other phases or when the duration is 0), elapsed time, connections, the last second's
 * sent/acked/received messages, total errors and the second's ack/e2e p99 in ms (`-`
 * when none). `barWidth` is in characters, default {@linkcode DEFAULT_BAR_WIDTH}; 0
 * leaves the bar out. `compact` drops the labels of the counts and the padding, for
 * narrow terminals (80 columns). ANSI colours only when `color` is true.
 */
export function formatLiveLine(
  state: LiveState,
  options: { color: boolean; barWidth?: number; compact?: boolean },
): string {
  const { color } = options;
  const p = state.point;
  const compact = options.compact === true;
  const head = [
    paint(compact ? state.phase : state.phase.padEnd(PHASE_WIDTH), PHASE_STYLE[state.phase], color),
    ...formatProgress(state, options.barWidth ?? DEFAULT_BAR_WIDTH, compact),
    formatElapsed(state.elapsedMs),
    ...(state.stage === undefined ? [] : [`stage ${state.stage}`]),
  ];
  const errors = `err ${formatCount(state.errorsTotal)}`;
  const counts = `${formatCount(p.sent)}/${formatCount(p.acked)}/${formatCount(p.received)}`;
  return [
    head.join(" "),
    `conn ${formatCount(p.connected)}`,
    compact ? `${counts}/s` : `sent/ack/recv ${counts} msg/s`,
    state.errorsTotal > 0 ? paint(errors, "red", color) : errors,
    compact
      ? `p99 ${formatP99(p.ackP99Ms)}/${formatP99(p.e2eP99Ms)}ms`
      : `p99 ack/e2e ${formatP99(p.ackP99Ms)}/${formatP99(p.e2eP99Ms)} ms`,
  ].join(compact ? " " : "  ");
}

/** How a {@linkcode LiveView} writes. */
export interface LiveViewOptions {
  /** Where the lines go (stderr in the CLI). */
  sink: TextSink;
  /** True when the sink is a terminal: redraw in place; false: one plain line per update. */
  isTerminal: boolean;
  /** Use ANSI colours (false under `NO_COLOR`); ignored off a terminal. */
  color: boolean;
  /** Terminal width in columns, default {@linkcode DEFAULT_WIDTH_COLUMNS}; ignored off a terminal. */
  widthColumns?: number;
}

/**
 * The live progress view on stderr. On a terminal each {@linkcode update} redraws one
 * line in place (`\r` and clear-line, no newline), fitted to `widthColumns` (default
 * {@linkcode DEFAULT_WIDTH_COLUMNS}) by narrowing or dropping the bar, closing up spacing,
 * then truncating; and
 * {@linkcode finish} ends that line. Elsewhere (logs, CI) each update writes one plain
 * line ending in `\n`, without escape codes or colour, and finish writes nothing.
 */
export class LiveView {
  readonly #sink: TextSink;
  readonly #isTerminal: boolean;
  readonly #color: boolean;
  readonly #widthColumns: number;
  #lineOpen = false;

  /** Creates a view writing to `options.sink` (see {@linkcode LiveViewOptions}). */
  constructor(options: LiveViewOptions) {
    this.#sink = options.sink;
    this.#isTerminal = options.isTerminal;
    this.#color = options.isTerminal && options.color;
    this.#widthColumns = options.widthColumns ?? DEFAULT_WIDTH_COLUMNS;
  }

  /** Shows `state`: redraws the line on a terminal, appends a line otherwise. */
  update(state: LiveState): void {
    if (!this.#isTerminal) {
      this.#sink.write(formatLiveLine(state, { color: false }) + "\n");
      return;
    }
    this.#sink.write(CLEAR_LINE + this.#fitLine(state));
    this.#lineOpen = true;
  }

  /**
   * Follows a run's facts: each second redraws the line, a note is written on a line
   * of its own, and the summary ends the view.
   */
  onFact(fact: RunFact): void {
    if (fact.kind === "second") {
      this.update(fact);
    } else if (fact.kind === "note") {
      this.finish();
      this.#sink.write(`${fact.text}\n`);
    } else if (fact.kind === "summary") {
      this.finish();
    }
  }

  /** Ends the redrawn line with a newline on a terminal; writes nothing otherwise. */
  finish(): void {
    if (!this.#lineOpen) return;
    this.#sink.write("\n");
    this.#lineOpen = false;
  }

  #fitLine(state: LiveState): string {
    // One column stays free: some terminals wrap as soon as the last one is written,
    // and a wrapped line can no longer be redrawn with `\r`.
    const maxColumns = Math.max(1, this.#widthColumns - 1);
    let line = "";
    for (const barWidth of BAR_WIDTHS_TO_TRY) {
      line = formatLiveLine(state, { color: this.#color, barWidth });
      if (visibleLength(line) <= maxColumns) return line;
    }
    // The compact form keeps the p99s, the line's last and most telling numbers, on
    // screen at 80 columns; only narrower terminals cut the line.
    for (const barWidth of [MIN_BAR_WIDTH, 0]) {
      line = formatLiveLine(state, { color: this.#color, barWidth, compact: true });
      if (visibleLength(line) <= maxColumns) return line;
    }
    return truncateVisible(line, maxColumns);
  }
}
