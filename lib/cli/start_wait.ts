/**
 * `--start-at`: after every check, the process waits for the start instant, saying so
 * (and again every 10 s), and stops waiting at Ctrl-C.
 *
 * @module
 */

import type { StartAt } from "../config/scenario.ts";
import { startEpochMs } from "../config/start_at.ts";
import type { TextSink } from "./terminal_io.ts";

/** How often a long wait says how long is left, in ms. */
const WAIT_NOTE_EVERY_MS = 10_000;

/**
 * Waits until `startAt` (a delay counts from now); resolves with the start instant in
 * ms since the Unix epoch, or null when `interrupt` aborted first.
 */
export async function waitForStart(
  startAt: StartAt,
  interrupt: AbortSignal,
  stderr: TextSink,
  epochNowMs: () => number = Date.now,
): Promise<number | null> {
  const startMs = startEpochMs(startAt, epochNowMs());
  const iso = new Date(startMs).toISOString();
  const leftMs = () => startMs - epochNowMs();
  if (leftMs() <= 0) {
    stderr.write(
      `warning: --start-at ${iso} passed ${(-leftMs() / 1000).toFixed(1)} s ago: starting now\n`,
    );
    return startMs;
  }
  stderr.write(`note: waiting ${(leftMs() / 1000).toFixed(1)} s until ${iso} (--start-at)\n`);
  while (leftMs() > 0 && !interrupt.aborted) {
    const stepMs = Math.min(leftMs(), WAIT_NOTE_EVERY_MS);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, stepMs);
      interrupt.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        interrupt.removeEventListener("abort", done);
        resolve();
      }
    });
    if (leftMs() > 0 && !interrupt.aborted) {
      stderr.write(`note: starting in ${Math.ceil(leftMs() / 1000)} s\n`);
    }
  }
  return interrupt.aborted ? null : startMs;
}
