import assert from "node:assert/strict";
import {
  checkPayloadTemplate,
  parsePayloadTemplate,
} from "../../lib/config/payload_template_check.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

Deno.test("parsePayloadTemplate() splits the members into literals and placeholders", () => {
  assert.deepEqual(
    parsePayloadTemplate(' {"s":"hq-{id}","t":{reading.temperatureC},{reading}} ', "--x"),
    {
      literals: ['"s":"hq-', '","t":', ",", ""],
      placeholders: ["id", "reading.temperatureC", "reading"],
      quoted: [true, false, false],
    },
  );
  // Braces inside strings and an escaped quote are text, not structure.
  assert.deepEqual(parsePayloadTemplate('{"a":"}{ \\"{seq}\\"","b":{}}', "--x"), {
    literals: ['"a":"}{ \\"', '\\"","b":{}'],
    placeholders: ["seq"],
    quoted: [true],
  });
});

Deno.test("checkPayloadTemplate() accepts every placeholder where it belongs", () => {
  const template = '{"id":"{id}","i":{index},"s":{seq},"t":{ts},"r":{reading.x},' +
    '"d":"{identity.deviceId}","m":"{identity.model}","by":"{identity.manufacturer}",' +
    '"fw":"{identity.firmware}","c":"{identity.city}","at":[{identity.lat},{identity.lon}],' +
    '"f":"{faker:person.fullName}","n":{faker:number.int},"nested":{"seq":{seq}},{reading}}';
  assert.equal(checkPayloadTemplate(template, "--x"), template);
  assert.equal(checkPayloadTemplate("{}", "--x"), "{}");
  assert.equal(checkPayloadTemplate('{"n":{index}{seq}}', "--x"), '{"n":{index}{seq}}');
});

Deno.test("checkPayloadTemplate() names each kind of mistake", () => {
  const cases: [string, string][] = [
    ["", 'expected a JSON object like {"site":"hq",{reading}}, got ""'],
    ['"a":1', 'expected a JSON object like {"site":"hq",{reading}}, got "\\"a\\":1"'],
    ["{reading}", 'expected a JSON object like {"site":"hq",{reading}}, got "{reading}"'],
    ['{"a":1', 'unmatched "{"'],
    ['{"a":"1}', "unclosed string (a '\"' is missing)"],
    [
      '{"a":1},',
      'text after the object\'s closing "}" at character 7; expected a JSON object like ' +
      '{"site":"hq",{reading}}',
    ],
    [
      '{"a":{reading.}}',
      "unknown placeholder {reading.}; known: {id}, {index}, {seq}, {ts}, " +
      "{reading}, {identity.deviceId}, {identity.model}, {identity.manufacturer}, " +
      "{identity.firmware}, {identity.city}, {identity.lat}, {identity.lon}, {reading.NAME}, " +
      "{faker:MODULE.METHOD}",
    ],
    [
      '{"a":{reading}}',
      '{reading} gives members ("temperatureC":21.4,...); it may stand only between members, ' +
      'like {"site":"hq",{reading}}',
    ],
    [
      '{"m":{identity.model}}',
      '{identity.model} gives text, which JSON needs in quotes: write "{identity.model}"',
    ],
    ['{"m":{id}}', '{id} gives text, which JSON needs in quotes: write "{id}"'],
    [
      '{"a":1,}',
      "the template does not give valid JSON: expected double-quoted property name " +
      '(a sample breaks after {"a":1,)',
    ],
    ['{"ts":{ts}}', 'the template defines "ts"; the envelope sets sensorId, seq and ts itself'],
    [
      '{"sensorId":"{id}","seq":1}',
      'the template defines "sensorId", "seq"; the envelope sets sensorId, seq and ts itself',
    ],
  ];
  for (const [template, problem] of cases) {
    assert.throws(
      () => checkPayloadTemplate(template, "fleets[0].payloadTemplate"),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.equal(error.message, `fleets[0].payloadTemplate: ${problem}`);
        return true;
      },
      template,
    );
  }
});
