import assert from "node:assert/strict";
import { createRandom, nextRandom } from "../../lib/fleet/random.ts";
import { type Clock, ManualClock } from "../../lib/engine/clock.ts";
import { spreadFirstDueMs, TimingWheel } from "../../lib/engine/timing_wheel.ts";

interface Fire {
  index: number;
  intendedMs: number;
  actualMs: number;
  wake: number;
}

/**
 * A ManualClock whose timers run late by a scripted amount, as on a busy event loop;
 * it also counts wakes and the most timers ever pending at once.
 */
class LateClock implements Clock {
  readonly manual: ManualClock;
  readonly delaysMs: number[] = [];
  wakes = 0;
  mostPending = 0;
  readonly #latenessMs: (timerNumber: number) => number;

  constructor(latenessMs: (timerNumber: number) => number = () => 0) {
    this.manual = new ManualClock();
    this.#latenessMs = latenessMs;
  }

  nowMs(): number {
    return this.manual.nowMs();
  }

  setTimer(callback: () => void, delayMs: number): number {
    const lateMs = this.#latenessMs(this.delaysMs.length);
    this.delaysMs.push(delayMs);
    const handle = this.manual.setTimer(() => {
      this.wakes++;
      callback();
    }, delayMs + lateMs);
    this.mostPending = Math.max(this.mostPending, this.manual.pendingTimers);
    return handle;
  }

  clearTimer(handle: number): void {
    this.manual.clearTimer(handle);
  }
}

/** Deterministic pseudo-random numbers in [0, 1): the fleet's seeded generator. */
function seededRandom(seed: number): () => number {
  const state = createRandom(seed, 0);
  return () => nextRandom(state);
}

function startWheel(
  clock: LateClock,
  capacity: number,
  options: { slotMs?: number; ringSlots?: number; maxFiresPerWake?: number } = {},
): { wheel: TimingWheel; fires: Fire[] } {
  const fires: Fire[] = [];
  const wheel = new TimingWheel({
    clock,
    capacity,
    ...options,
    onDue: (index, intendedMs) =>
      fires.push({
        index,
        intendedMs,
        actualMs: clock.nowMs(),
        wake: clock.wakes,
      }),
  });
  return { wheel, fires };
}

function intendedByIndex(fires: Fire[], capacity: number): number[][] {
  const byIndex: number[][] = Array.from({ length: capacity }, () => []);
  for (const fire of fires) byIndex[fire.index].push(fire.intendedMs);
  return byIndex;
}

function advanceIrregularly(
  clock: LateClock,
  totalMs: number,
  seed: number,
): void {
  const random = seededRandom(seed);
  let leftMs = totalMs;
  while (leftMs > 0) {
    const stepMs = Math.min(leftMs, Math.floor(random() * 57));
    clock.manual.advanceMs(stepMs);
    leftMs -= stepMs;
  }
}

const MIXED_PERIODS_MS = [3, 10, 25, 100, 333, 1_000, 7_000];

Deno.test("TimingWheel fires every entry floor(T / period) times over T, within one", () => {
  const clock = new LateClock();
  const count = 140;
  const { wheel, fires } = startWheel(clock, count);
  const periods = Array.from(
    { length: count },
    (_, i) => MIXED_PERIODS_MS[i % 7],
  );
  for (let i = 0; i < count; i++) {
    wheel.add(i, spreadFirstDueMs(i, count, periods[i], 0), periods[i]);
  }
  wheel.start();
  const totalMs = 60_000;
  clock.manual.advanceMs(totalMs);
  const byIndex = intendedByIndex(fires, count);
  for (let i = 0; i < count; i++) {
    const expected = Math.floor(totalMs / periods[i]);
    assert.ok(
      Math.abs(byIndex[i].length - expected) <= 1,
      `entry ${i} (period ${periods[i]} ms) fired ${byIndex[i].length} times, expected ${expected}`,
    );
  }
  wheel.stop();
});

Deno.test("TimingWheel fires in non-decreasing intended time order", () => {
  const random = seededRandom(7);
  const clock = new LateClock(() => Math.floor(random() * 25));
  const count = 300;
  const { wheel, fires } = startWheel(clock, count, { ringSlots: 64 });
  for (let i = 0; i < count; i++) {
    const periodMs = MIXED_PERIODS_MS[i % 7] + random();
    wheel.add(i, random() * 2_000, periodMs);
  }
  wheel.start();
  advanceIrregularly(clock, 30_000, 11);
  assert.ok(fires.length > 10_000);
  for (let k = 1; k < fires.length; k++) {
    assert.ok(
      fires[k].intendedMs >= fires[k - 1].intendedMs,
      `fire ${k} at ${fires[k].intendedMs} came after ${fires[k - 1].intendedMs}`,
    );
  }
  wheel.stop();
});

Deno.test("TimingWheel reports intendedMs = firstDue + k * period exactly under irregular steps and late timers", () => {
  const random = seededRandom(3);
  const clock = new LateClock(() => Math.floor(random() * 40));
  clock.manual.advanceMs(12_345);
  const count = 50;
  const { wheel, fires } = startWheel(clock, count);
  const firstDueMs = Array.from({ length: count }, (_, i) => 12_345 + 7 * i);
  const periodsMs = Array.from({ length: count }, (_, i) => 20 + 37 * i);
  for (let i = 0; i < count; i++) wheel.add(i, firstDueMs[i], periodsMs[i]);
  wheel.start();
  advanceIrregularly(clock, 20_000, 5);
  const byIndex = intendedByIndex(fires, count);
  for (let i = 0; i < count; i++) {
    assert.ok(byIndex[i].length > 0);
    byIndex[i].forEach((intendedMs, k) => {
      assert.equal(
        intendedMs,
        firstDueMs[i] + k * periodsMs[i],
        `entry ${i} fire ${k}`,
      );
    });
  }
  for (const fire of fires) {
    assert.ok(fire.actualMs >= fire.intendedMs, "fired early");
  }
  wheel.stop();
});

Deno.test("TimingWheel never fires early and stays under one slot late on a punctual clock", () => {
  const clock = new LateClock();
  const count = 1_000;
  const { wheel, fires } = startWheel(clock, count, { slotMs: 10 });
  for (let i = 0; i < count; i++) {
    wheel.add(i, spreadFirstDueMs(i, count, 1_000, 0.5), 1_000);
  }
  wheel.start();
  clock.manual.advanceMs(5_000);
  assert.equal(fires.length, 5 * count);
  for (const fire of fires) {
    const latenessMs = fire.actualMs - fire.intendedMs;
    assert.ok(latenessMs >= 0 && latenessMs < 10, `lateness ${latenessMs} ms`);
  }
  wheel.stop();
});

Deno.test("TimingWheel fires every missed period in order after a stall", () => {
  const periodMs = 100;
  // The third timer runs 10 periods late, as if the process had stalled.
  const clock = new LateClock((
    timerNumber,
  ) => (timerNumber === 2 ? 10 * periodMs : 0));
  const count = 5;
  const { wheel, fires } = startWheel(clock, count);
  for (let i = 0; i < count; i++) wheel.add(i, 100 + 20 * i, periodMs);
  wheel.start();
  clock.manual.advanceMs(2_000);
  const byIndex = intendedByIndex(fires, count);
  for (let i = 0; i < count; i++) {
    const expected = Array.from(
      { length: Math.floor((2_000 - 100 - 20 * i) / periodMs) + 1 },
      (_, k) => 100 + 20 * i + k * periodMs,
    );
    assert.deepEqual(byIndex[i], expected);
  }
  const stallWake = fires.find((fire) => fire.actualMs - fire.intendedMs >= 900)!.wake;
  const caughtUp = fires.filter((fire) => fire.wake === stallWake);
  assert.ok(
    caughtUp.length >= 10 * count - count,
    `${caughtUp.length} fires after the stall`,
  );
  wheel.stop();
});

Deno.test("TimingWheel caps fires per wake and yields with 0 ms timers until caught up", () => {
  const clock = new LateClock((timerNumber) => (timerNumber === 1 ? 1_000 : 0));
  const count = 20;
  const { wheel, fires } = startWheel(clock, count, { maxFiresPerWake: 7 });
  for (let i = 0; i < count; i++) {
    wheel.add(i, spreadFirstDueMs(i, count, 100, 0), 100);
  }
  wheel.start();
  clock.manual.advanceMs(1_500);
  const perWake = new Map<number, number>();
  for (const fire of fires) {
    perWake.set(fire.wake, (perWake.get(fire.wake) ?? 0) + 1);
  }
  assert.ok(Math.max(...perWake.values()) <= 7);
  assert.ok(clock.delaysMs.filter((delayMs) => delayMs === 0).length >= 20);
  const byIndex = intendedByIndex(fires, count);
  for (let i = 0; i < count; i++) {
    assert.equal(byIndex[i].length, Math.floor((1_500 - 5 * i) / 100) + 1);
  }
  wheel.stop();
});

Deno.test("TimingWheel.remove() stops an entry, also from inside onDue", () => {
  const clock = new ManualClock();
  const fired: number[] = [];
  const wheel: TimingWheel = new TimingWheel({
    clock,
    capacity: 4,
    onDue: (index) => {
      fired.push(index);
      if (index === 1) wheel.remove(1);
    },
  });
  for (let i = 0; i < 4; i++) wheel.add(i, 50, 100);
  wheel.start();
  wheel.remove(2);
  wheel.remove(2);
  assert.equal(wheel.size, 3);
  assert.equal(wheel.has(2), false);
  clock.advanceMs(300);
  assert.deepEqual(fired, [0, 1, 3, 0, 3, 0, 3]);
  assert.equal(wheel.size, 2);
  wheel.remove(0);
  wheel.remove(3);
  assert.equal(wheel.size, 0);
  assert.equal(
    clock.pendingTimers,
    1,
    "the wake armed before the removals stays",
  );
  clock.advanceMs(1_000);
  assert.equal(fired.length, 7);
  assert.equal(clock.pendingTimers, 0, "an empty wheel arms no timer");
  wheel.stop();
});

Deno.test("TimingWheel.add() replaces an existing schedule, also from inside onDue", () => {
  const clock = new ManualClock();
  const fires: Array<[number, number]> = [];
  const wheel: TimingWheel = new TimingWheel({
    clock,
    capacity: 3,
    onDue: (index, intendedMs) => {
      fires.push([index, intendedMs]);
      if (index === 0 && intendedMs === 100) wheel.add(0, 150, 1_000);
      if (index === 0 && intendedMs === 150) wheel.add(2, 160, 1_000);
    },
  });
  wheel.add(0, 100, 100);
  wheel.add(1, 120, 1_000);
  wheel.add(1, 130, 1_000);
  assert.equal(wheel.size, 2);
  wheel.start();
  clock.advanceMs(200);
  assert.deepEqual(fires, [[0, 100], [1, 130], [0, 150], [2, 160]]);
  assert.equal(wheel.size, 3);
  wheel.stop();
});

Deno.test("TimingWheel.setPeriod() keeps the next fire and applies from the one after", () => {
  const clock = new ManualClock();
  const intended: number[] = [];
  const wheel = new TimingWheel({
    clock,
    capacity: 1,
    onDue: (_, intendedMs) => intended.push(intendedMs),
  });
  wheel.add(0, 100, 100);
  wheel.start();
  clock.advanceMs(150);
  wheel.setPeriod(0, 300);
  clock.advanceMs(700);
  assert.deepEqual(intended, [100, 200, 500, 800]);
  assert.throws(() => wheel.setPeriod(0, 0), RangeError);
  wheel.remove(0);
  assert.throws(() => wheel.setPeriod(0, 100), RangeError);
  wheel.stop();
});

Deno.test("TimingWheel keeps at most one timer pending, stop() leaves none, start() catches up", () => {
  const clock = new LateClock();
  const count = 200;
  const { wheel, fires } = startWheel(clock, count);
  wheel.start();
  wheel.start();
  for (let i = count - 1; i >= 0; i--) {
    // Adding in falling due order makes every add move the wake earlier.
    wheel.add(i, 5 + i, 50);
    assert.ok(clock.manual.pendingTimers <= 1);
  }
  advanceIrregularly(clock, 2_000, 9);
  assert.equal(clock.mostPending, 1);
  wheel.stop();
  assert.equal(clock.manual.pendingTimers, 0);
  wheel.stop();
  assert.equal(clock.manual.pendingTimers, 0);
  const firesBeforePause = fires.length;
  clock.manual.advanceMs(1_000);
  assert.equal(fires.length, firesBeforePause);
  wheel.start();
  assert.equal(clock.manual.pendingTimers, 1);
  clock.manual.advanceMs(0);
  // Open model: the periods missed while stopped are still fired.
  assert.equal(fires.length, firesBeforePause + 20 * count);
  assert.equal(clock.mostPending, 1);
  wheel.stop();
});

Deno.test("TimingWheel fires entries due beyond the ring from the overflow list on time", () => {
  const clock = new LateClock();
  const count = 40;
  const { wheel, fires } = startWheel(clock, count, { ringSlots: 8 });
  const periodsMs = Array.from({ length: count }, (_, i) => 50 + 173 * i);
  for (let i = 0; i < count; i++) wheel.add(i, 10 * i, periodsMs[i]);
  wheel.start();
  clock.manual.advanceMs(40_000);
  const byIndex = intendedByIndex(fires, count);
  for (let i = 0; i < count; i++) {
    assert.equal(
      byIndex[i].length,
      Math.floor((40_000 - 10 * i) / periodsMs[i]) + 1,
    );
    byIndex[i].forEach((intendedMs, k) => assert.equal(intendedMs, 10 * i + k * periodsMs[i]));
  }
  for (const fire of fires) {
    const latenessMs = fire.actualMs - fire.intendedMs;
    assert.ok(latenessMs >= 0 && latenessMs < 10, `lateness ${latenessMs} ms`);
  }
  wheel.stop();
});

Deno.test("TimingWheel matches a reference model under random add, remove and setPeriod", () => {
  const random = seededRandom(2024);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const periodsMs = [7, 10, 30, 95, 260, 1_000, 2_500];
  const capacity = 60;
  const slotMs = 10;
  const clock = new ManualClock();
  // The model: index -> next intended time and current period.
  const model = new Map<number, { nextDueMs: number; periodMs: number }>();
  let fires = 0;
  const operate = (): void => {
    const index = Math.floor(random() * capacity);
    const roll = random();
    if (roll < 0.5) {
      const entry = {
        nextDueMs: clock.nowMs() + 1 + Math.floor(random() * 3_000),
        periodMs: pick(periodsMs),
      };
      wheel.add(index, entry.nextDueMs, entry.periodMs);
      model.set(index, entry);
    } else if (roll < 0.8) {
      wheel.remove(index);
      model.delete(index);
    } else if (model.has(index)) {
      const periodMs = pick(periodsMs);
      wheel.setPeriod(index, periodMs);
      model.get(index)!.periodMs = periodMs;
    }
  };
  const wheel: TimingWheel = new TimingWheel({
    clock,
    capacity,
    slotMs,
    ringSlots: 8,
    onDue: (index, intendedMs) => {
      fires++;
      const entry = model.get(index);
      assert.ok(entry !== undefined, `entry ${index} fired while not scheduled`);
      assert.equal(intendedMs, entry.nextDueMs, `entry ${index} intended time`);
      const latenessMs = clock.nowMs() - intendedMs;
      assert.ok(latenessMs >= 0 && latenessMs < slotMs, `lateness ${latenessMs} ms`);
      entry.nextDueMs += entry.periodMs;
      if (random() < 0.05) operate();
    },
  });
  wheel.start();
  for (let step = 0; step < 600; step++) {
    const operations = Math.floor(random() * 4);
    for (let k = 0; k < operations; k++) operate();
    assert.ok(clock.pendingTimers <= 1);
    clock.advanceMs(Math.floor(random() * 200));
    assert.equal(wheel.size, model.size);
    const firedUpToMs = Math.floor(clock.nowMs() / slotMs) * slotMs;
    for (const [index, entry] of model) {
      assert.ok(entry.nextDueMs > firedUpToMs, `entry ${index} overdue at ${clock.nowMs()}`);
    }
  }
  assert.ok(fires > 5_000, `only ${fires} fires`);
  wheel.stop();
});

Deno.test("TimingWheel wakes an otherwise empty wheel for one far-future entry", () => {
  const clock = new LateClock();
  const { wheel, fires } = startWheel(clock, 1, { ringSlots: 16 });
  wheel.start();
  wheel.add(0, 3_600_000, 3_600_000);
  clock.manual.advanceMs(3 * 3_600_000);
  assert.deepEqual(fires.map((fire) => fire.actualMs), [
    3_600_000,
    7_200_000,
    10_800_000,
  ]);
  assert.ok(clock.wakes <= 6, `${clock.wakes} wakes for 3 fires`);
  wheel.stop();
});

Deno.test("TimingWheel.add() with a past first due fires once at the next wake", () => {
  const clock = new LateClock();
  clock.manual.advanceMs(1_000);
  const { wheel, fires } = startWheel(clock, 2);
  wheel.add(0, 900, 500);
  wheel.add(1, 1_000, 500);
  wheel.start();
  clock.manual.advanceMs(0);
  assert.deepEqual(
    fires.map((fire) => [fire.index, fire.intendedMs, fire.actualMs]),
    [
      [0, 900, 1_000],
      [1, 1_000, 1_000],
    ],
  );
  clock.manual.advanceMs(500);
  assert.deepEqual(
    fires.slice(2).map((fire) => [fire.index, fire.intendedMs]),
    [
      [0, 1_400],
      [1, 1_500],
    ],
  );
  wheel.stop();
});

Deno.test("TimingWheel.add() on a running wheel moves the wake earlier when needed", () => {
  const clock = new LateClock();
  const { wheel, fires } = startWheel(clock, 2);
  wheel.add(0, 1_000, 1_000);
  wheel.start();
  clock.manual.advanceMs(10);
  wheel.add(1, 50, 1_000);
  clock.manual.advanceMs(40);
  assert.deepEqual(fires.map((fire) => [fire.index, fire.actualMs]), [[1, 50]]);
  wheel.stop();
});

Deno.test("TimingWheel size and has() track added and removed entries", () => {
  const { wheel } = startWheel(new LateClock(), 3);
  assert.equal(wheel.size, 0);
  wheel.add(2, 0, 10);
  assert.equal(wheel.size, 1);
  assert.equal(wheel.has(2), true);
  assert.equal(wheel.has(0), false);
  assert.equal(wheel.has(7), false);
  wheel.remove(2);
  assert.equal(wheel.size, 0);
  assert.equal(wheel.has(2), false);
});

Deno.test("TimingWheel rejects bad options, indices, due times and periods", () => {
  const clock = new ManualClock();
  const onDue = () => {};
  assert.throws(
    () => new TimingWheel({ clock, capacity: -1, onDue }),
    RangeError,
  );
  assert.throws(
    () => new TimingWheel({ clock, capacity: 1, slotMs: 0, onDue }),
    RangeError,
  );
  assert.throws(
    () => new TimingWheel({ clock, capacity: 1, ringSlots: 1, onDue }),
    RangeError,
  );
  assert.throws(
    () => new TimingWheel({ clock, capacity: 1, maxFiresPerWake: 0, onDue }),
    RangeError,
  );
  const wheel = new TimingWheel({ clock, capacity: 2, onDue });
  assert.throws(() => wheel.add(2, 0, 10), RangeError);
  assert.throws(() => wheel.add(-1, 0, 10), RangeError);
  assert.throws(() => wheel.add(0.5, 0, 10), RangeError);
  assert.throws(() => wheel.add(0, NaN, 10), RangeError);
  assert.throws(() => wheel.add(0, 0, 0), RangeError);
  assert.throws(() => wheel.add(0, 0, Infinity), RangeError);
  assert.throws(() => wheel.remove(5), RangeError);
  assert.equal(wheel.size, 0);
});

Deno.test("spreadFirstDueMs() spreads a fleet evenly over one period", () => {
  const count = 1_000;
  const firstDueMs = Array.from(
    { length: count },
    (_, i) => spreadFirstDueMs(i, count, 1_000, 5_000),
  );
  assert.equal(firstDueMs[0], 5_000);
  for (let i = 1; i < count; i++) {
    assert.equal(firstDueMs[i] - firstDueMs[i - 1], 1);
  }
  assert.ok(firstDueMs[count - 1] < 6_000);
  const perTenMs = new Array<number>(100).fill(0);
  for (const dueMs of firstDueMs) perTenMs[Math.floor((dueMs - 5_000) / 10)]++;
  assert.ok(perTenMs.every((n) => n === 10));
  const sevenMs = Array.from(
    { length: 7 },
    (_, i) => spreadFirstDueMs(i, 7, 700, 0),
  );
  assert.deepEqual(sevenMs, [0, 100, 200, 300, 400, 500, 600]);
  assert.throws(() => spreadFirstDueMs(3, 3, 100, 0), RangeError);
  assert.throws(() => spreadFirstDueMs(0, 0, 100, 0), RangeError);
});
