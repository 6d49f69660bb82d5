import assert from "node:assert/strict";
import { ManualClock } from "../../lib/engine/clock.ts";
import { SecondTicker, TICK_MS } from "../../lib/engine/second_ticker.ts";

/** A ticker from `originMs` on `clock` that logs every call. */
function loggedTicker(clock: ManualClock, originMs: number) {
  const log: string[] = [];
  const ticker = new SecondTicker(clock, originMs, {
    tick: (tSec) => log.push(`tick ${tSec} at ${clock.nowMs()}`),
    last: (tSec) => log.push(`last ${tSec} at ${clock.nowMs()}`),
  });
  return { ticker, log };
}

Deno.test("SecondTicker numbers each second from the run's start and closes the part-second once", () => {
  const clock = new ManualClock(5_000);
  // The run started 300 ms before the ticker: ticks land at 1.3 s, 2.3 s, ... of the run.
  const { ticker, log } = loggedTicker(clock, 4_700);
  ticker.start();
  clock.advanceMs(3 * TICK_MS + 400);
  assert.equal(ticker.running, true);
  ticker.stop();
  ticker.stop();
  assert.equal(ticker.running, false);
  assert.deepEqual(log, [
    "tick 1 at 6000",
    "tick 2 at 7000",
    "tick 3 at 8000",
    "last 4 at 8400",
  ]);
  clock.advanceMs(5 * TICK_MS);
  assert.equal(log.length, 4, "nothing after stop()");
});

Deno.test("SecondTicker.stop() before start() does nothing; a run under a second still gets its part-second", () => {
  const clock = new ManualClock();
  const { ticker, log } = loggedTicker(clock, 0);
  ticker.stop();
  ticker.start();
  clock.advanceMs(200);
  ticker.stop();
  assert.deepEqual(log, ["last 1 at 200"]);
});
