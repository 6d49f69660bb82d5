/**
 * Small, fast, seeded randomness for per-sensor simulation.
 *
 * The generator is mulberry32: its whole state is one 32-bit integer, so a sensor
 * carries its randomness as a single number field on an object it already has
 * (anything shaped like {@linkcode RandomState}) instead of a generator object of
 * its own. Its period (2^32 draws per sensor) is far beyond any run's length.
 *
 * For seeding from several words at once (faker's identities) there is also sfc32,
 * whose 128-bit state keeps every (run seed, sensor index) pair distinct.
 *
 * @module
 */

/** Anything that carries a mulberry32 state: one 32-bit integer, advanced in place. */
export interface RandomState {
  /** The generator state, a 32-bit integer; start it from {@linkcode seedFor}. */
  randomState: number;
}

const TWO_POW_32 = 4294967296;
// The golden-ratio constant keeps an all-zero input from hashing to zero.
const GOLDEN_RATIO_32 = 0x9e3779b9;
const SFC32_WARM_UP_ROUNDS = 12;
const SQRT_3 = Math.sqrt(3);

/** Murmur3's 32-bit finaliser: a bijection that spreads every input bit. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A 32-bit generator seed for one sensor and one purpose, as an unsigned integer.
 *
 * `runSeed` is an integer (safe-integer range; all of its bits count, so seeds taken
 * from a clock do not collide), `index` is the sensor index (0 to 2^32 - 1) and
 * `stream` (default 0) separates independent uses for the same sensor. For fixed
 * `runSeed` and `stream`, different indexes always give different seeds.
 */
export function seedFor(runSeed: number, index: number, stream = 0): number {
  const runSeedLow = runSeed >>> 0;
  const runSeedHigh = Math.floor(runSeed / TWO_POW_32) >>> 0;
  let h = mix32(runSeedLow ^ GOLDEN_RATIO_32);
  h = mix32(h ^ runSeedHigh);
  h = mix32(h ^ stream);
  return mix32(h ^ index);
}

/** A standalone generator state seeded by {@linkcode seedFor} (`stream` defaults to 0). */
export function createRandom(
  runSeed: number,
  index: number,
  stream = 0,
): RandomState {
  return { randomState: seedFor(runSeed, index, stream) };
}

/**
 * A generator that can be re-seeded from up to three 32-bit words; the shape faker's
 * `Randomizer` option expects.
 */
export interface SeedableRandom {
  /** The next uniform number in [0, 1). */
  next(): number;
  /** Restarts the sequence from `seed`: a number or up to three integer words (extra words are ignored). */
  seed(seed: number | number[]): void;
}

/**
 * An sfc32 generator (128-bit state) that is cheap to re-seed: well under a
 * microsecond, where faker's default Mersenne Twister takes tens. Different seed
 * words (missing words count as 0) always give different starting states.
 */
export function createSeedableRandom(): SeedableRandom {
  let a = 0;
  let b = 0;
  let c = 0;
  let counter = 0;
  // Closures rather than a class: faker calls `next` detached from its object.
  const next = (): number => {
    const t = (((a + b) | 0) + counter) | 0;
    counter = (counter + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  };
  const seed = (words: number | number[]): void => {
    const [first, second = 0, third = 0] = typeof words === "number" ? [words] : words;
    // mix32 is a bijection, so distinct words stay distinct state words; the
    // warm-up rounds (as sfc32's author advises) then spread them over all 128 bits.
    a = mix32(first ^ GOLDEN_RATIO_32);
    b = mix32(second ^ GOLDEN_RATIO_32);
    c = mix32(third ^ GOLDEN_RATIO_32);
    counter = 1;
    for (let round = 0; round < SFC32_WARM_UP_ROUNDS; round++) next();
  };
  return { next, seed };
}

/** The next uniform number in [0, 1), advancing `state` in place. */
export function nextRandom(state: RandomState): number {
  let t = (state.randomState = (state.randomState + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
}

/**
 * The next number from a close approximation of the standard normal (mean 0,
 * standard deviation 1, bounded to ±2√3 ≈ ±3.46), advancing `state` by four draws.
 */
export function nextNormal(state: RandomState): number {
  // The sum of four uniforms (Irwin–Hall) measured four to five times faster than
  // Box–Muller's logarithm and cosine, and its bounded tails suit values that must
  // stay physical. The sum has mean 2 and variance 1/3, hence the scaling.
  const sum = nextRandom(state) + nextRandom(state) + nextRandom(state) +
    nextRandom(state);
  return (sum - 2) * SQRT_3;
}

/** The next integer in [min, max], both inclusive integers, advancing `state`. */
export function nextInt(state: RandomState, min: number, max: number): number {
  return min + Math.floor(nextRandom(state) * (max - min + 1));
}
