import assert from "node:assert/strict";
import { ManualClock, SYSTEM_CLOCK } from "../../lib/engine/clock.ts";

Deno.test("ManualClock.nowMs() starts at startMs and moves only by advanceMs()", () => {
  assert.equal(new ManualClock().nowMs(), 0);
  const clock = new ManualClock(1_000.25);
  assert.equal(clock.nowMs(), 1_000.25);
  clock.advanceMs(0);
  assert.equal(clock.nowMs(), 1_000.25);
  clock.advanceMs(9.75);
  assert.equal(clock.nowMs(), 1_010);
});

Deno.test("ManualClock.advanceMs() runs due timers in due order, reading each due time", () => {
  const clock = new ManualClock(100);
  const seen: string[] = [];
  clock.setTimer(() => seen.push(`c@${clock.nowMs()}`), 30);
  clock.setTimer(() => seen.push(`a@${clock.nowMs()}`), 10);
  clock.setTimer(() => seen.push(`b@${clock.nowMs()}`), 20);
  clock.setTimer(() => seen.push(`late@${clock.nowMs()}`), 31);
  clock.advanceMs(30);
  assert.deepEqual(seen, ["a@110", "b@120", "c@130"]);
  assert.equal(clock.nowMs(), 130);
  assert.equal(clock.pendingTimers, 1);
});

Deno.test("ManualClock.advanceMs() runs timers set by callbacks that fall due within the advance", () => {
  const clock = new ManualClock();
  const seen: number[] = [];
  const chain = (): void => {
    seen.push(clock.nowMs());
    clock.setTimer(chain, seen.length % 2 === 0 ? 0 : 15);
  };
  clock.setTimer(chain, 5);
  clock.advanceMs(40);
  assert.deepEqual(seen, [5, 20, 20, 35, 35]);
  assert.equal(clock.nowMs(), 40);
  assert.equal(clock.pendingTimers, 1);
});

Deno.test("ManualClock runs timers due at the same time in the order they were set", () => {
  const clock = new ManualClock();
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) clock.setTimer(() => seen.push(i), 10);
  clock.advanceMs(10);
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
});

Deno.test("ManualClock.clearTimer() cancels a timer and pendingTimers counts the rest", () => {
  const clock = new ManualClock();
  let fired = 0;
  const first = clock.setTimer(() => fired++, 10);
  clock.setTimer(() => fired++, 20);
  assert.equal(clock.pendingTimers, 2);
  clock.clearTimer(first);
  clock.clearTimer(first);
  clock.clearTimer(12345);
  assert.equal(clock.pendingTimers, 1);
  clock.advanceMs(100);
  assert.equal(fired, 1);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("ManualClock.setTimer() treats negative and NaN delays as 0 ms", () => {
  const clock = new ManualClock(50);
  const seen: number[] = [];
  clock.setTimer(() => seen.push(clock.nowMs()), -5);
  clock.setTimer(() => seen.push(clock.nowMs()), NaN);
  clock.advanceMs(0);
  assert.deepEqual(seen, [50, 50]);
});

Deno.test("ManualClock.advanceMs() rejects a negative or NaN duration", () => {
  const clock = new ManualClock();
  assert.throws(() => clock.advanceMs(-1), RangeError);
  assert.throws(() => clock.advanceMs(NaN), RangeError);
});

Deno.test("SYSTEM_CLOCK.nowMs() never goes backwards", () => {
  let previousMs = SYSTEM_CLOCK.nowMs();
  for (let i = 0; i < 1_000; i++) {
    const nowMs = SYSTEM_CLOCK.nowMs();
    assert.ok(nowMs >= previousMs);
    previousMs = nowMs;
  }
});

Deno.test("SYSTEM_CLOCK.clearTimer() cancels a timer from setTimer()", async () => {
  let clearedRan = false;
  const handle = SYSTEM_CLOCK.setTimer(() => clearedRan = true, 0);
  assert.equal(typeof handle, "number");
  SYSTEM_CLOCK.clearTimer(handle);
  // Equal-delay timers run in the order set, so this one runs after the cleared
  // one would have: no waiting beyond one 0 ms turn.
  await new Promise<void>((resolve) => SYSTEM_CLOCK.setTimer(resolve, 0));
  assert.equal(clearedRan, false);
});
