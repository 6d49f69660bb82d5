/**
 * Payload templates: the body of a fleet's messages after the envelope, written as a
 * JSON object with placeholders such as
 * `{"site":"hq","t":{reading.temperatureC},"owner":"{faker:person.fullName}",{reading}}`.
 *
 * A template is parsed, checked and compiled once into literal parts and one small
 * function per placeholder; rendering a message joins them, with no regular expression
 * and no parsing per message.
 *
 * @module
 */

// The English-only entry point, as in identity.ts: the package root loads every locale.
import { faker as englishFaker } from "@faker-js/faker/locale/en";
import type { Faker } from "@faker-js/faker";
import {
  checkQuotedText,
  checkRenderedPayload,
  parsePayloadTemplate,
  PAYLOAD_TEXT_PLACEHOLDERS,
} from "../config/payload_template_check.ts";
import type { Scenario } from "../config/scenario.ts";
import { UsageError } from "../config/usage_error.ts";
import type { DeviceProfile } from "./device_profile.ts";
import type { SensorIdentity } from "./identity.ts";
import { profileFor } from "./profile.ts";
import { createSeedableRandom, seedFor } from "./random.ts";

/** What one message's placeholders are filled from. */
export interface PayloadTemplateContext {
  /** The sensor's `{id}`, its zero-padded number. */
  readonly sensorId: string;
  /** The sensor's global index, `{index}`. */
  readonly index: number;
  /** The message's sequence number, as in the envelope. */
  readonly seq: number;
  /** Intended send time, ms since the Unix epoch; `{ts}` renders it as a whole number. */
  readonly tsMs: number;
  /** The sensor's identity, for `{identity.*}`. */
  readonly identity: SensorIdentity;
  /**
   * The profile's reading as JSON members without braces (`"temperatureC":21.4,...`,
   * number and boolean values only), or `""` for none.
   */
  readonly readingJson: string;
}

/** Renders one message's body: JSON object members without the outer braces. */
export type CompiledPayloadTemplate = (context: PayloadTemplateContext) => string;

/** Options of {@linkcode compilePayloadTemplate}. */
export interface PayloadTemplateOptions {
  /**
   * The run seed: `{faker:...}` values are drawn from the seed, the sensor's index and
   * the message's seq, so the same seed gives the same payloads; default 1.
   */
  readonly seed?: number;
  /**
   * A reading of the fleet's profile (see {@linkcode sampleReadingJson}); when given,
   * every `{reading.NAME}` must name one of its members. Without it, a name the
   * reading lacks renders `null`.
   */
  readonly sampleReadingJson?: string;
}

type PartRenderer = (context: PayloadTemplateContext) => string;

// A stream number of its own, so faker's per-message draws never repeat another
// per-sensor stream seeded from the same run seed and index.
const FAKER_STREAM = 0x504c44;

// Faker modules that are not generators: the core holds the randomizer and config.
const NOT_FAKER_MODULES = ["fakerCore"];

const IDENTITY_FIELDS: Readonly<Record<string, (identity: SensorIdentity) => string>> = {
  "identity.deviceId": (identity) => escapeJsonText(identity.deviceId),
  "identity.model": (identity) => escapeJsonText(identity.model),
  "identity.manufacturer": (identity) => escapeJsonText(identity.manufacturer),
  "identity.firmware": (identity) => escapeJsonText(identity.firmware),
  "identity.city": (identity) => escapeJsonText(identity.location.city),
  "identity.lat": (identity) => String(identity.location.lat),
  "identity.lon": (identity) => String(identity.location.lon),
};

// What the compile-time check renders: strings with characters that need escaping,
// so a template that quotes its placeholders wrongly fails here, not on the wire.
const SAMPLE_IDENTITY: SensorIdentity = {
  deviceId: "9F3A61C07B2E4D18",
  model: 'QB-400 "Pro"',
  manufacturer: "O'Hara \\ Sons\n",
  firmware: "4.12.3",
  location: { city: "Zürich", lat: -33.8688, lon: 151.2093 },
};
const SAMPLE_READING_JSON = '"temperatureC":21.43,"humidityPct":48.1,"open":true';

/** `text` as the inside of a JSON string: escaped, without the quotes. */
function escapeJsonText(text: string): string {
  // Most text needs no escaping; a scan costs about half of JSON.stringify().
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    // Control characters, '"', '\' and surrogates (a lone one is escaped).
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text).slice(1, -1);
    }
  }
  return text;
}

/**
 * Compiles a payload template (a JSON object text; see the README) for fast rendering.
 * The envelope (`sensorId`, `seq`, `ts`) is not part of it: the caller adds it first.
 *
 * Throws {@linkcode UsageError} naming `setting` (such as `--payload-template` or
 * `fleets[0].payloadTemplate`) for a template that is not one JSON object, an unknown
 * placeholder or faker method, a placeholder giving text outside quotes, `{reading}`
 * where no member may stand, a member the envelope owns, or a sample rendering that is
 * not valid JSON.
 */
export function compilePayloadTemplate(
  template: string,
  setting: string,
  options: PayloadTemplateOptions = {},
): CompiledPayloadTemplate {
  const parsed = parsePayloadTemplate(template, setting);
  const literals = [...parsed.literals];
  const faker = createTemplateFaker();
  const readingNames = options.sampleReadingJson === undefined
    ? undefined
    : readingNamesOf(options.sampleReadingJson);
  const parts: PartRenderer[] = parsed.placeholders.map((name, position) => {
    const quoted = parsed.quoted[position];
    if (name === "reading") return spliceReading(literals, position);
    if (name.startsWith("reading.")) {
      const member = name.slice("reading.".length);
      if (readingNames !== undefined && !readingNames.includes(member)) {
        throw new UsageError(
          `${setting}: unknown reading {${name}}; this profile's readings: ${
            readingNames.join(", ")
          }`,
        );
      }
      return readingValue(member);
    }
    if (name.startsWith("faker:")) return fakerCall(faker, name, quoted, setting);
    checkQuotedText(name, PAYLOAD_TEXT_PLACEHOLDERS.includes(name), quoted, setting);
    return fixedPart(name);
  });
  const usesFaker = parsed.placeholders.some((name) => name.startsWith("faker:"));
  const runSeed = options.seed ?? 1;
  const render: CompiledPayloadTemplate = (context) => {
    if (usesFaker) {
      faker.seed([seedFor(runSeed, context.index, FAKER_STREAM), context.seq >>> 0]);
    }
    let members = literals[0];
    for (let part = 0; part < parts.length; part++) {
      members += parts[part](context) + literals[part + 1];
    }
    return members;
  };
  // An empty reading too: the engine sends none when a padded payload is too small.
  for (const readingJson of [options.sampleReadingJson ?? SAMPLE_READING_JSON, ""]) {
    checkRenderedPayload(
      render({
        sensorId: "0042",
        index: 42,
        seq: 7,
        tsMs: 1_764_480_000_123.456,
        identity: SAMPLE_IDENTITY,
        readingJson,
      }),
      setting,
    );
  }
  return render;
}

/** The renderer of `{id}`, `{index}`, `{seq}`, `{ts}` or an `{identity.*}` field. */
function fixedPart(name: string): PartRenderer {
  switch (name) {
    case "id":
      return (context) => escapeJsonText(context.sensorId);
    case "index":
      return (context) => String(context.index);
    case "seq":
      return (context) => String(context.seq);
    case "ts":
      return (context) => String(Math.floor(context.tsMs));
  }
  const field = IDENTITY_FIELDS[name];
  return (context) => field(context.identity);
}

/**
 * The renderer of `{reading}` at `position`. A comma next to it is taken into the
 * renderer (out of `literals`), so an empty reading leaves no stray comma behind.
 */
function spliceReading(literals: string[], position: number): PartRenderer {
  const before = literals[position];
  const after = literals[position + 1];
  const trimmedBefore = before.trimEnd();
  if (trimmedBefore.endsWith(",")) {
    literals[position] = trimmedBefore.slice(0, -1);
    return (context) => context.readingJson === "" ? "" : `,${context.readingJson}`;
  }
  const trimmedAfter = after.trimStart();
  if (trimmedAfter.startsWith(",")) {
    literals[position + 1] = trimmedAfter.slice(1);
    return (context) => context.readingJson === "" ? "" : `${context.readingJson},`;
  }
  return (context) => context.readingJson;
}

/**
 * The renderer of `{reading.NAME}`: the member's value, found by a scan of the
 * reading's text (values are numbers or booleans, so they hold no comma or quote and
 * `"NAME":` can only match at the start of that member); `null` when it is missing.
 */
function readingValue(member: string): PartRenderer {
  const key = `"${member}":`;
  return (context) => {
    const reading = context.readingJson;
    const at = reading.indexOf(key);
    if (at === -1) return "null";
    const start = at + key.length;
    const end = reading.indexOf(",", start);
    return end === -1 ? reading.slice(start) : reading.slice(start, end);
  };
}

/** The member names of a reading's JSON members. */
function readingNamesOf(readingJson: string): string[] {
  return readingJson === "" ? [] : Object.keys(JSON.parse(`{${readingJson}}`));
}

/** A faker of its own, re-seeded per message in well under a microsecond (sfc32). */
function createTemplateFaker(): Faker {
  // The locale entry point exports only its instance, so its class is reached through it.
  const FakerClass = englishFaker.constructor as typeof Faker;
  return new FakerClass({
    locale: englishFaker.rawDefinitions,
    randomizer: createSeedableRandom(),
  });
}

/** The generator modules of a faker instance (`person`, `string`, ...), sorted. */
function fakerModules(faker: Faker): string[] {
  return Object.keys(faker).filter((key) =>
    !NOT_FAKER_MODULES.includes(key) &&
    typeof (faker as unknown as Record<string, unknown>)[key] === "object"
  ).sort();
}

/** The methods of one faker module, sorted. */
function fakerMethods(module: object): string[] {
  const names = new Set<string>();
  for (
    let prototype = Object.getPrototypeOf(module);
    prototype !== null && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const value = (module as Record<string, unknown>)[name];
      if (name !== "constructor" && !name.startsWith("_") && typeof value === "function") {
        names.add(name);
      }
    }
  }
  return [...names].sort();
}

/**
 * The renderer of `{faker:MODULE.METHOD}`: calls the method without arguments per
 * message. Checked here by calling it once: it must exist, work without arguments and
 * give text, a number, a boolean or a date; text must stand inside a JSON string.
 */
function fakerCall(faker: Faker, name: string, quoted: boolean, setting: string): PartRenderer {
  const [moduleName, methodName] = name.slice("faker:".length).split(".");
  const modules = fakerModules(faker);
  if (!modules.includes(moduleName)) {
    throw new UsageError(
      `${setting}: unknown faker module in {${name}}; known: ${modules.join(", ")}`,
    );
  }
  const module = (faker as unknown as Record<string, Record<string, unknown>>)[moduleName];
  const methods = fakerMethods(module);
  if (!methods.includes(methodName)) {
    throw new UsageError(
      `${setting}: unknown faker method in {${name}}; ${moduleName} has ${methods.join(", ")}`,
    );
  }
  const method = (module[methodName] as () => unknown).bind(module);
  let sample: unknown;
  try {
    faker.seed(1);
    sample = method();
  } catch (error) {
    throw new UsageError(
      `${setting}: {${name}} needs arguments a template cannot give (${(error as Error).message})`,
    );
  }
  const kind = sample instanceof Date ? "date" : typeof sample;
  if (!["string", "number", "boolean", "bigint", "date"].includes(kind)) {
    throw new UsageError(
      `${setting}: {${name}} gives ${
        Array.isArray(sample) ? "a list" : `a ${kind}`
      }; a template takes text, numbers, booleans and dates`,
    );
  }
  checkQuotedText(name, kind === "string" || kind === "date", quoted, setting);
  return () => fakerValueJson(method());
}

/** A faker value as JSON: text and dates escaped without quotes, numbers as they are. */
function fakerValueJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return escapeJsonText(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
    case "bigint":
      return String(value);
  }
  return value instanceof Date ? value.toISOString() : "null";
}

/**
 * One reading of `profile` for {@linkcode PayloadTemplateOptions.sampleReadingJson}:
 * from a throwaway state, ticked an hour at a time until the profile reports (an
 * event-driven door stays silent at most ticks); `""` if it never does.
 */
export function sampleReadingJson(profile: DeviceProfile, runSeed = 1): string {
  const state = profile.createState(runSeed, 0);
  const hourMs = 3_600_000;
  const startMs = Date.UTC(2026, 0, 1);
  for (let tick = 0; tick < 10_000; tick++) {
    const reading = profile.nextReadingJson(state, startMs + tick * hourMs);
    if (reading !== null) return reading;
  }
  return "";
}

/**
 * Compiles every fleet's payload template as a run does (with the run seed and a
 * sample reading of the fleet's profile) and returns one problem line per template
 * that fails, each named by `settingOf(fleetIndex)` (default `fleets[n].payloadTemplate`);
 * empty when all compile. For `iotload validate` and for a run's checks before
 * anything connects.
 */
export function payloadTemplateProblems(
  scenario: Scenario,
  settingOf: (fleetIndex: number) => string = (n) => `fleets[${n}].payloadTemplate`,
): string[] {
  const problems: string[] = [];
  scenario.fleets.forEach((fleet, n) => {
    if (fleet.payloadTemplate === null) return;
    try {
      compilePayloadTemplate(fleet.payloadTemplate, settingOf(n), {
        seed: scenario.seed,
        sampleReadingJson: sampleReadingJson(profileFor(fleet.profile), scenario.seed),
      });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(error.message);
    }
  });
  return problems;
}
