import assert from "node:assert/strict";
import { UsageError } from "../../lib/config/usage_error.ts";
import { createIdentity, type SensorIdentity } from "../../lib/fleet/identity.ts";
import {
  compilePayloadTemplate,
  type PayloadTemplateContext,
  payloadTemplateProblems,
  sampleReadingJson,
} from "../../lib/fleet/payload_template.ts";
import { profileFor } from "../../lib/fleet/profile.ts";
import { createRandom, nextInt, nextRandom, type RandomState } from "../../lib/fleet/random.ts";
import { DEFAULT_FLEET, DEFAULT_SCENARIO, PROFILE_NAMES } from "../../lib/config/scenario.ts";

const SETTING = "--payload-template";

const IDENTITY: SensorIdentity = {
  deviceId: "9F3A61C07B2E4D18",
  model: "QB-400",
  manufacturer: "Acme Sensors",
  firmware: "4.12.3",
  location: { city: "Lyon", lat: 45.764, lon: 4.8357 },
};

const READING = '"temperatureC":21.43,"humidityPct":48.1,"pressureHpa":1012.8,"batteryPct":87.4';

function contextWith(fields: Partial<PayloadTemplateContext> = {}): PayloadTemplateContext {
  return {
    sensorId: "0042",
    index: 42,
    seq: 7,
    tsMs: 1_764_480_000_123.456,
    identity: IDENTITY,
    readingJson: READING,
    ...fields,
  };
}

/** The body a template renders, parsed as the object the envelope completes. */
function renderObject(
  template: string,
  fields: Partial<PayloadTemplateContext> = {},
): Record<string, unknown> {
  const members = compilePayloadTemplate(template, SETTING)(contextWith(fields));
  return JSON.parse(`{${members}}`);
}

function assertUsageError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `not a UsageError: ${error}`);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("compilePayloadTemplate() returns the members without the outer braces", () => {
  const render = compilePayloadTemplate('  {"site":"hq","floor":3}\n', SETTING);
  assert.equal(render(contextWith()), '"site":"hq","floor":3');
});

Deno.test("compilePayloadTemplate() fills {id}, {index}, {seq} and {ts}", () => {
  assert.deepEqual(
    renderObject('{"sensor":"{id}","n":{index},"count":{seq},"sentMs":{ts},"tag":"s-{index}"}'),
    { sensor: "0042", n: 42, count: 7, sentMs: 1_764_480_000_123, tag: "s-42" },
  );
});

Deno.test("compilePayloadTemplate() splices {reading} as members, first, middle or last", () => {
  const reading = JSON.parse(`{${READING}}`);
  assert.deepEqual(renderObject('{"site":"hq",{reading}}'), { site: "hq", ...reading });
  assert.deepEqual(renderObject('{ {reading} , "site":"hq"}'), { ...reading, site: "hq" });
  assert.deepEqual(renderObject('{"a":1,{reading},"b":2}'), { a: 1, ...reading, b: 2 });
  assert.deepEqual(renderObject("{{reading}}"), reading);
  assert.deepEqual(renderObject('{"nested":{"x":1,{reading}}}'), {
    nested: { x: 1, ...reading },
  });
});

Deno.test("compilePayloadTemplate() leaves no stray comma when the reading is empty", () => {
  for (const template of ['{"a":1,{reading}}', '{{reading},"a":1}', '{"a":1,{reading},"b":2}']) {
    const members = compilePayloadTemplate(template, SETTING)(contextWith({ readingJson: "" }));
    assert.doesNotThrow(() => JSON.parse(`{${members}}`), members);
  }
  const render = compilePayloadTemplate("{{reading}}", SETTING);
  assert.equal(render(contextWith({ readingJson: "" })), "");
});

Deno.test("compilePayloadTemplate() takes one value out of the reading with {reading.NAME}", () => {
  assert.deepEqual(
    renderObject(
      '{"t":{reading.temperatureC},"b":{reading.batteryPct},"h":"{reading.humidityPct}%"}',
    ),
    { t: 21.43, b: 87.4, h: "48.1%" },
  );
  assert.deepEqual(
    renderObject('{"open":{reading.open},"n":{reading.changes}}', {
      readingJson: '"open":false,"changes":12',
    }),
    { open: false, n: 12 },
  );
  // A name that is the end of another name must not match it.
  assert.deepEqual(
    renderObject('{"v":{reading.voltage}}', { readingJson: '"maxvoltage":1,"voltage":230.1' }),
    { v: 230.1 },
  );
});

Deno.test("compilePayloadTemplate() renders null for a reading member the reading lacks", () => {
  assert.deepEqual(renderObject('{"x":{reading.nope}}'), { x: null });
});

Deno.test("compilePayloadTemplate() checks {reading.NAME} against a sample reading when given", () => {
  const sample = sampleReadingJson(profileFor("environment"));
  assert.doesNotThrow(() =>
    compilePayloadTemplate('{"t":{reading.temperatureC}}', SETTING, { sampleReadingJson: sample })
  );
  assertUsageError(
    () =>
      compilePayloadTemplate('{"t":{reading.temperature}}', SETTING, {
        sampleReadingJson: sample,
      }),
    /^--payload-template: unknown reading \{reading\.temperature\}; this profile's readings: temperatureC, humidityPct, pressureHpa, batteryPct$/,
  );
});

Deno.test("sampleReadingJson() gives a reading of every profile, the door's included", () => {
  for (const name of PROFILE_NAMES) {
    const reading = sampleReadingJson(profileFor(name));
    assert.notEqual(reading, "", name);
    assert.ok(Object.keys(JSON.parse(`{${reading}}`)).length > 0, name);
  }
});

Deno.test("compilePayloadTemplate() fills every identity field, escaping text", () => {
  const identity: SensorIdentity = {
    deviceId: "00FF",
    model: 'QB "Pro" 400',
    manufacturer: "Back\\slash & Sons\n\u0001",
    firmware: "1.2.3",
    location: { city: "São Paulo", lat: -23.5505, lon: -46.6333 },
  };
  const template = '{"d":"{identity.deviceId}","m":"{identity.model}",' +
    '"by":"{identity.manufacturer}","fw":"v{identity.firmware}","at":"{identity.city}",' +
    '"lat":{identity.lat},"lon":{identity.lon}}';
  assert.deepEqual(renderObject(template, { identity }), {
    d: "00FF",
    m: 'QB "Pro" 400',
    by: "Back\\slash & Sons\n\u0001",
    fw: "v1.2.3",
    at: "São Paulo",
    lat: -23.5505,
    lon: -46.6333,
  });
});

Deno.test("compilePayloadTemplate() leaves braces and escapes inside strings alone", () => {
  assert.deepEqual(renderObject('{"a":"}{","b":"say \\"{id}\\"","c":"{ not a placeholder }"}'), {
    a: "}{",
    b: 'say "0042"',
    c: "{ not a placeholder }",
  });
});

Deno.test("compilePayloadTemplate() calls faker per message, giving the documented shapes", () => {
  const render = compilePayloadTemplate(
    '{"messageId":"{faker:string.uuid}","owner":"{faker:person.fullName}",' +
      '"n":{faker:number.int},"ok":{faker:datatype.boolean},"at":"{faker:date.past}"}',
    SETTING,
  );
  const uuids = new Set<string>();
  for (let seq = 0; seq < 100; seq++) {
    const body = JSON.parse(`{${render(contextWith({ seq }))}}`);
    assert.match(
      body.messageId,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.match(body.owner, /^\S.* \S+$/);
    assert.ok(Number.isSafeInteger(body.n) && body.n >= 0, String(body.n));
    assert.equal(typeof body.ok, "boolean");
    assert.ok(!Number.isNaN(Date.parse(body.at)), body.at);
    uuids.add(body.messageId);
  }
  assert.equal(uuids.size, 100, "a new value per message");
});

Deno.test("compilePayloadTemplate() draws faker values from the seed, sensor and seq", () => {
  const template = '{"id":"{faker:string.uuid}","who":"{faker:person.fullName}"}';
  const first = compilePayloadTemplate(template, SETTING, { seed: 7 });
  const again = compilePayloadTemplate(template, SETTING, { seed: 7 });
  const other = compilePayloadTemplate(template, SETTING, { seed: 8 });
  const message = contextWith({ index: 3, seq: 11 });
  assert.equal(first(message), again(message));
  first(contextWith({ index: 4 }));
  assert.equal(first(message), again(message), "no state carried between messages");
  assert.notEqual(first(message), other(message));
  assert.notEqual(first(message), first(contextWith({ index: 4, seq: 11 })));
  assert.notEqual(first(message), first(contextWith({ index: 3, seq: 12 })));
});

Deno.test("compilePayloadTemplate() refuses unknown faker modules and methods, naming the known ones", () => {
  assertUsageError(
    () => compilePayloadTemplate('{"x":"{faker:persons.fullName}"}', SETTING),
    /^--payload-template: unknown faker module in \{faker:persons\.fullName\}; known: .*\bperson\b.*\bstring\b/,
  );
  assertUsageError(
    () => compilePayloadTemplate('{"x":"{faker:person.fulName}"}', SETTING),
    /^--payload-template: unknown faker method in \{faker:person\.fulName\}; person has .*\bfullName\b/,
  );
  assertUsageError(
    () => compilePayloadTemplate('{"x":"{faker:fakerCore.seed}"}', SETTING),
    /unknown faker module/,
  );
  assertUsageError(
    () => compilePayloadTemplate('{"x":"{faker:person.constructor}"}', SETTING),
    /unknown faker method/,
  );
});

Deno.test("compilePayloadTemplate() refuses faker methods that need arguments or give objects", () => {
  assertUsageError(
    () => compilePayloadTemplate('{"x":"{faker:helpers.arrayElement}"}', SETTING),
    /^--payload-template: \{faker:helpers\.arrayElement\} needs arguments a template cannot give/,
  );
  assertUsageError(
    () => compilePayloadTemplate('{"x":"{faker:location.nearbyGPSCoordinate}"}', SETTING),
    /^--payload-template: \{faker:location\.nearbyGPSCoordinate\} gives a list; a template takes/,
  );
});

Deno.test("compilePayloadTemplate() refuses text placeholders outside quotes", () => {
  for (const name of ["id", "identity.model", "identity.city", "faker:person.fullName"]) {
    assertUsageError(
      () => compilePayloadTemplate(`{"x":{${name}}}`, SETTING),
      new RegExp(`^--payload-template: \\{${name}\\} gives text, which JSON needs in quotes`),
    );
  }
});

Deno.test("compilePayloadTemplate() refuses a template that is not one JSON object", () => {
  const cases: [string, RegExp][] = [
    ['"site":"hq"', /expected a JSON object like/],
    ["{reading}", /expected a JSON object like/],
    ['{"a":1', /unmatched "\{"/],
    ['{"a":1}}', /text after the object's closing "\}" at character 7/],
    ["{site:hq}", /expected a JSON object like/],
    ['{"a":1} {"b":2}', /text after the object's closing "\}" at character 7/],
    ['{"a":"open}', /unclosed string/],
    ['{"a":{nope}}', /unknown placeholder \{nope\}; known: \{id\}, \{index\}/],
    ['{"a":{reading}}', /\{reading\} gives members/],
    ['{"a":"{reading}"}', /\{reading\} gives members/],
    ['{"a":1 {reading}}', /\{reading\} gives members/],
  ];
  for (const [template, message] of cases) {
    assertUsageError(() => compilePayloadTemplate(template, SETTING), message);
  }
});

Deno.test("compilePayloadTemplate() refuses a template whose sample is not valid JSON, saying why", () => {
  assertUsageError(
    () => compilePayloadTemplate('{"a":1,,"b":2}', "fleets[0].payloadTemplate"),
    /^fleets\[0\]\.payloadTemplate: the template does not give valid JSON: expected double-quoted property name \(a sample breaks after \{"a":1,\)$/,
  );
  assertUsageError(
    () => compilePayloadTemplate('{"site":hq}', SETTING),
    /the template does not give valid JSON/,
  );
  assertUsageError(
    () => compilePayloadTemplate('{"a":{reading.x}{reading.y}}', SETTING),
    /the template does not give valid JSON/,
  );
});

Deno.test("compilePayloadTemplate() refuses members the envelope owns", () => {
  for (const name of ["sensorId", "seq", "ts"]) {
    assertUsageError(
      () => compilePayloadTemplate(`{"a":1,"${name}":{seq}}`, SETTING),
      new RegExp(`^--payload-template: the template defines "${name}"; the envelope sets`),
    );
  }
  // Nested members are the template's own.
  assert.deepEqual(renderObject('{"meta":{"seq":{seq}}}'), { meta: { seq: 7 } });
});

Deno.test("compilePayloadTemplate() renders valid JSON for 1,000 random contexts", () => {
  const random: RandomState = createRandom(99, 0);
  const render = compilePayloadTemplate(
    '{"site":"hq","sensor":"{id}","i":{index},"s":{seq},"t":{ts},' +
      '"temp":{reading.temperatureC},"open":{reading.open},"model":"{identity.model}",' +
      '"by":"{identity.manufacturer}","at":"{identity.city}","pos":[{identity.lat},' +
      '{identity.lon}],"owner":"{faker:person.fullName}","n":{faker:number.float},{reading}}',
    SETTING,
  );
  for (let message = 0; message < 1_000; message++) {
    const index = nextInt(random, 0, 999_999);
    const identity = createIdentity(nextInt(random, 0, 1_000), index);
    // Text with characters JSON must escape, in every field that carries text.
    const noise = String.fromCharCode(
      ...Array.from({ length: 6 }, () => nextInt(random, 0, 0x2ff)),
    );
    const profile = profileFor(PROFILE_NAMES[nextInt(random, 0, PROFILE_NAMES.length - 1)]);
    const readingJson = nextRandom(random) < 0.1
      ? ""
      : profile.nextReadingJson(profile.createState(1, index), 1_764_480_000_000) ?? "";
    const context = contextWith({
      sensorId: `s"${noise}`,
      index,
      seq: nextInt(random, 0, 2 ** 31),
      tsMs: 1_764_480_000_000 + nextRandom(random) * 1e9,
      identity: { ...identity, model: identity.model + noise },
      readingJson,
    });
    const members = render(context);
    const body = JSON.parse(`{${members}}`);
    assert.equal(body.sensor, context.sensorId);
    assert.equal(body.model, context.identity.model);
    assert.equal(body.i, index);
    assert.ok(!("sensorId" in body) && !("ts" in body), members);
  }
});

Deno.test("payloadTemplateProblems() names each fleet whose template does not compile", () => {
  const scenario = {
    ...DEFAULT_SCENARIO,
    fleets: [
      { ...DEFAULT_FLEET, payloadTemplate: '{"t":{reading.temperatureC}}' },
      { ...DEFAULT_FLEET, name: "meters", profile: "energy-meter" as const },
      {
        ...DEFAULT_FLEET,
        name: "doors",
        profile: "door" as const,
        payloadTemplate: '{"t":{reading.temperatureC}}',
      },
      { ...DEFAULT_FLEET, name: "x", payloadTemplate: '{"w":"{faker:person.fulName}"}' },
    ],
  };
  assert.deepEqual(payloadTemplateProblems(scenario), [
    "fleets[2].payloadTemplate: unknown reading {reading.temperatureC}; this profile's " +
    "readings: open, changes, batteryPct",
    "fleets[3].payloadTemplate: unknown faker method in {faker:person.fulName}; person has " +
    "bio, firstName, fullName, gender, jobArea, jobDescriptor, jobTitle, jobType, lastName, " +
    "middleName, prefix, sex, sexType, suffix, zodiacSign",
  ]);
  assert.equal(payloadTemplateProblems(scenario, () => "--payload-template").length, 2);
  assert.deepEqual(payloadTemplateProblems(DEFAULT_SCENARIO), []);
});
