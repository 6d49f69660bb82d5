/**
 * Who each simulated sensor is: a serial number, model, maker, firmware and place,
 * the same for the same run seed and sensor index on every host and shard.
 *
 * @module
 */

// The English-only entry point: the package root loads every locale, which costs
// each worker about 15 MB of heap and 100 ms of start-up for data never used.
import { faker as englishFaker } from "@faker-js/faker/locale/en";
import type { Faker } from "@faker-js/faker";
import { createSeedableRandom } from "./random.ts";

/** Where a sensor says it is; coordinates in degrees, rounded to 4 decimals. */
export interface SensorLocation {
  /** A city name. */
  city: string;
  /** Latitude in degrees, -90 to 90. */
  lat: number;
  /** Longitude in degrees, -180 to 180. */
  lon: number;
}

/** The descriptive identity of one sensor; it does not change during a run. */
export interface SensorIdentity {
  /** A 16-digit upper-case hex serial number (64 random bits, so collisions are negligible). */
  deviceId: string;
  /** A model code such as `"QB-400"`. */
  model: string;
  /** The maker's company name. */
  manufacturer: string;
  /** The firmware version, a semver such as `"4.12.3"`. */
  firmware: string;
  /** Where the sensor is installed. */
  location: SensorLocation;
}

const TWO_POW_32 = 4294967296;

// Faker re-seeds once per sensor, and its default Mersenne Twister takes ~50 us to
// seed (half a second per 10,000 sensors); sfc32 takes well under 1 us. The locale
// entry point exports only its instance, so its class is reached through it.
const FakerClass = englishFaker.constructor as typeof Faker;
const faker = new FakerClass({
  locale: englishFaker.rawDefinitions,
  randomizer: createSeedableRandom(),
});

/** Eight hex digits, zero-padded, from one draw. */
function drawHexWord(): string {
  return faker.number.int({ min: 0, max: 0xffffffff }).toString(16)
    .padStart(8, "0");
}

/**
 * The identity of sensor `index` (an integer, 0 to 2^32 - 1) in the fleet of run
 * `runSeed` (an integer; all of its bits count). Deterministic: the same pair always
 * gives the same identity. Costs tens of microseconds; call it once per sensor,
 * never per message.
 */
export function createIdentity(
  runSeed: number,
  index: number,
): SensorIdentity {
  // Seeding with every input word, rather than one hashed 32-bit seed, keeps two
  // sensors' seeds distinct: at 10,000 sensors a 32-bit hash collides (making two
  // identical sensors) about once in a hundred runs.
  faker.seed([
    runSeed >>> 0,
    Math.floor(runSeed / TWO_POW_32) >>> 0,
    index >>> 0,
  ]);
  const deviceId = (drawHexWord() + drawHexWord()).toUpperCase();
  const modelLetters = faker.word.adjective()[0] + faker.word.noun()[0];
  const modelSeries = faker.number.int({ min: 1, max: 9 });
  return {
    deviceId,
    model: `${modelLetters.toUpperCase()}-${modelSeries}00`,
    manufacturer: faker.company.name(),
    firmware: faker.system.semver(),
    location: {
      city: faker.location.city(),
      lat: faker.location.latitude({ precision: 4 }),
      lon: faker.location.longitude({ precision: 4 }),
    },
  };
}
