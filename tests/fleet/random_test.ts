import assert from "node:assert/strict";
import {
  createRandom,
  createSeedableRandom,
  nextInt,
  nextNormal,
  nextRandom,
  type RandomState,
  seedFor,
} from "../../lib/fleet/random.ts";

function draw(state: RandomState, count: number): number[] {
  return Array.from({ length: count }, () => nextRandom(state));
}

Deno.test("seedFor() is deterministic and gives unsigned 32-bit seeds", () => {
  assert.equal(seedFor(42, 7), seedFor(42, 7));
  assert.equal(seedFor(42, 7, 3), seedFor(42, 7, 3));
  for (const seed of [seedFor(0, 0), seedFor(-1, 5), seedFor(2 ** 40, 9, 2)]) {
    assert.ok(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
  }
});

Deno.test("seedFor() gives distinct seeds for distinct indexes, streams and run seeds", () => {
  const seeds = new Set<number>();
  for (let index = 0; index < 10_000; index++) seeds.add(seedFor(42, index));
  assert.equal(seeds.size, 10_000);
  assert.notEqual(seedFor(42, 1, 0), seedFor(42, 1, 1));
  assert.notEqual(seedFor(42, 1), seedFor(43, 1));
  // Seeds taken from a clock differ only above 32 bits.
  assert.notEqual(seedFor(2 ** 32 + 5, 1), seedFor(5, 1));
});

Deno.test("nextRandom() repeats its sequence for the same seed and stays in [0, 1)", () => {
  const first = draw(createRandom(42, 3), 10_000);
  assert.deepEqual(draw(createRandom(42, 3), 10_000), first);
  assert.notDeepEqual(draw(createRandom(42, 4), 10), first.slice(0, 10));
  for (const value of first) assert.ok(value >= 0 && value < 1);
  const mean = first.reduce((sum, value) => sum + value, 0) / first.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});

Deno.test("nextRandom() advances the state it is given in place", () => {
  const state = createRandom(1, 2);
  const before = state.randomState;
  nextRandom(state);
  assert.notEqual(state.randomState, before);
});

Deno.test("nextNormal() has mean 0 and standard deviation 1 within its ±2√3 bound", () => {
  const state = createRandom(9, 9);
  const values = Array.from({ length: 20_000 }, () => nextNormal(state));
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) /
    values.length;
  assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
  assert.ok(
    Math.abs(Math.sqrt(variance) - 1) < 0.05,
    `sd ${Math.sqrt(variance)}`,
  );
  for (const value of values) assert.ok(Math.abs(value) <= 2 * Math.sqrt(3));
});

Deno.test("nextInt() gives every integer in [min, max] and nothing outside", () => {
  const state = createRandom(5, 0);
  const seen = new Set<number>();
  for (let draws = 0; draws < 1_000; draws++) {
    const value = nextInt(state, -2, 3);
    assert.ok(Number.isInteger(value) && value >= -2 && value <= 3);
    seen.add(value);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [-2, -1, 0, 1, 2, 3]);
});

Deno.test("createSeedableRandom() restarts its sequence on re-seeding and separates seeds", () => {
  const random = createSeedableRandom();
  const drawFrom = (seed: number | number[]) => {
    random.seed(seed);
    return Array.from({ length: 8 }, () => random.next());
  };
  const first = drawFrom([42, 0, 1]);
  drawFrom([42, 0, 2]);
  assert.deepEqual(drawFrom([42, 0, 1]), first);
  assert.notDeepEqual(drawFrom([42, 0, 2]), first);
  assert.notDeepEqual(drawFrom([42, 1, 1]), first);
  assert.deepEqual(drawFrom(42), drawFrom([42, 0, 0]));
  for (const value of drawFrom(7)) assert.ok(value >= 0 && value < 1);
});

Deno.test("createSeedableRandom() works when next() is called detached from its object", () => {
  const random = createSeedableRandom();
  random.seed(3);
  const { next } = random;
  const detached = next();
  random.seed(3);
  assert.equal(random.next(), detached);
});
