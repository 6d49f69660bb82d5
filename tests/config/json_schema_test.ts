import assert from "node:assert/strict";
import { join } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import YAML from "yaml";
import { scenarioJsonSchema } from "../../lib/config/json_schema.ts";
import { parseScenarioText } from "../../lib/config/scenario_file.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

type Schema = Record<string, unknown>;

const EXAMPLES_DIR = new URL("../../examples/", import.meta.url).pathname;
const SCHEMA_PATH = join(EXAMPLES_DIR, "scenario.schema.json");
const REGENERATE = "deno run -A .ci/generate.ts";

/** Keywords that only annotate. */
const ANNOTATIONS = ["$schema", "$comment", "title", "description", "default"];
/** Keywords scenarioJsonSchema() may use: ones every editor's validator knows. */
const ASSERTIONS = [
  "type",
  "properties",
  "required",
  "additionalProperties",
  "enum",
  "pattern",
  "minimum",
  "maximum",
  "minLength",
  "minItems",
  "items",
  "maxProperties",
  "anyOf",
];

// strict: true turns every strict-mode warning (union types among them) into an error.
const ajv = new Ajv2020({ strict: true, allErrors: true });
const compiled = new WeakMap<Schema, ValidateFunction>();

/** The words the tests expect for each failed Ajv keyword. */
function describeError(error: ErrorObject): string {
  const path = "$" + error.instancePath.replace(/\/(\d+)(?=\/|$)/g, "[$1]").replaceAll("/", ".");
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return `${path}.${params.additionalProperty}: additional property`;
    case "required":
      return `${path}.${params.missingProperty}: required`;
    case "type":
      return `${path}: not of type ${params.type}`;
    case "enum":
      return `${path}: not in enum`;
    case "pattern":
      return `${path}: does not match ${params.pattern}`;
    case "minimum":
      return `${path}: below minimum`;
    case "maximum":
      return `${path}: above maximum`;
    case "minLength":
      return `${path}: too short`;
    case "minItems":
      return `${path}: too few items`;
    case "maxProperties":
      return `${path}: too many properties`;
    default:
      return `${path}: ${error.keyword}`;
  }
}

/** Problems of `value` against `schema`, as Ajv (draft 2020-12, strict mode) finds them. */
function validate(schema: Schema, value: unknown): string[] {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = ajv.compile(schema);
    compiled.set(schema, check);
  }
  return check(value) ? [] : (check.errors ?? []).map(describeError);
}

function typeMatches(type: string, value: unknown): boolean {
  return type === "object" && typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every subschema of `schema` with its path, the root first. */
function subschemas(schema: Schema, path = "$"): [string, Schema][] {
  const found: [string, Schema][] = [[path, schema]];
  for (const [key, item] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    found.push(...subschemas(item, `${path}.${key}`));
  }
  if (schema.items !== undefined) found.push(...subschemas(schema.items as Schema, `${path}[]`));
  ((schema.anyOf ?? []) as Schema[]).forEach((branch, index) =>
    found.push(...subschemas(branch, `${path}|${index}`))
  );
  if (typeMatches("object", schema.additionalProperties)) {
    found.push(...subschemas(schema.additionalProperties as Schema, `${path}.*`));
  }
  return found;
}

function exampleDocuments(): [string, unknown][] {
  return [...Deno.readDirSync(EXAMPLES_DIR)]
    .filter((entry) => entry.name.endsWith(".yaml"))
    .map((entry) => [
      entry.name,
      YAML.parse(Deno.readTextFileSync(join(EXAMPLES_DIR, entry.name)), { merge: true }),
    ]);
}

/** Broken documents, each with the path the schema's problem names. */
const BROKEN: readonly [unknown, string][] = [
  [{ unknownKey: 1 }, "$.unknownKey: additional property"],
  [{ broker: { tls: { cafile: "x" } } }, "$.broker.tls.cafile: additional property"],
  [{ broker: { protocolVersion: 3 } }, "$.broker.protocolVersion: not in enum"],
  [{ broker: { keepalive: 70000 } }, "$.broker.keepalive: above maximum"],
  [{ broker: { keepalive: "soon" } }, "$.broker.keepalive: does not match"],
  [{ broker: { url: "http://h" } }, "$.broker.url: does not match"],
  [{ broker: { cleanStart: "yes" } }, "$.broker.cleanStart: not of type boolean"],
  [{ run: { workers: "many" } }, "$.run.workers: does not match"],
  [{ run: { workers: 0 } }, "$.run.workers: below minimum"],
  [{ fleets: [] }, "$.fleets: too few items"],
  [{ fleets: [{ count: 0 }] }, "$.fleets[0].count: below minimum"],
  [{ fleets: [{ count: "many" }] }, "$.fleets[0].count: not of type integer"],
  [{ fleets: [{ count: 1.5 }] }, "$.fleets[0].count: not of type integer"],
  [{ fleets: [{ interval: "fast" }] }, "$.fleets[0].interval: does not match"],
  [{ fleets: [{ interval: 5000 }] }, "$.fleets[0].interval: not of type string"],
  [{ fleets: [{ jitter: 5 }] }, "$.fleets[0].jitter: above maximum"],
  [{ fleets: [{ profile: "thermostat" }] }, "$.fleets[0].profile: not in enum"],
  [{ fleets: [{ name: "a b" }] }, "$.fleets[0].name: does not match"],
  [{ fleets: [{ topic: "a/+/{id}" }] }, "$.fleets[0].topic: does not match"],
  [{ fleets: [{ topic: "a/{serial}" }] }, "$.fleets[0].topic: does not match"],
  [{ fleets: [{ clientId: "c-{id" }] }, "$.fleets[0].clientId: does not match"],
  [{ fleets: [{ offline: { buffer: -1 } }] }, "$.fleets[0].offline.buffer: below minimum"],
  [{ fleets: [{ payloadTemplate: '"a":1' }] }, "$.fleets[0].payloadTemplate: does not match"],
  [{ fleets: [{ payloadTemplate: { a: 1 } }] }, "$.fleets[0].payloadTemplate: not of type string"],
  [{ fleets: [{ status: { topic: "s/#" } }] }, "$.fleets[0].status.topic: does not match"],
  [{ fleets: [{ status: { topic: "" } }] }, "$.fleets[0].status.topic: too short"],
  [{ fleets: [{ commands: {} }] }, "$.fleets[0].commands.topic: required"],
  [
    { fleets: [{ commands: { topic: "c/{id}", responseTopic: "r/{x}" } }] },
    "$.fleets[0].commands.responseTopic: does not match",
  ],
  [{ fleets: [{ mqtt5: { userProperties: ["a"] } }] }, "$.fleets[0].mqtt5.userProperties: not"],
  [
    { fleets: [{ mqtt5: { userProperties: { line: 3 } } }] },
    "$.fleets[0].mqtt5.userProperties.line: not of type string",
  ],
  [
    { fleets: [{ mqtt5: { userProperties: { site: "" } } }] },
    "$.fleets[0].mqtt5.userProperties.site: too short",
  ],
  [
    {
      fleets: [{
        mqtt5: {
          userProperties: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`p${i}`, "v"])),
        },
      }],
    },
    "$.fleets[0].mqtt5.userProperties: too many properties",
  ],
  [
    { fleets: [{ mqtt5: { messageExpiry: 4294967296 } }] },
    "$.fleets[0].mqtt5.messageExpiry: above maximum",
  ],
  [{ fleets: [{ mqtt5: { contentType: "" } }] }, "$.fleets[0].mqtt5.contentType: does not match"],
  [
    { fleets: [{ mqtt5: { topicAlias: "yes" } }] },
    "$.fleets[0].mqtt5.topicAlias: not of type boolean",
  ],
  [{ fleets: [{ mqtt5: { alias: true } }] }, "$.fleets[0].mqtt5.alias: additional property"],
  [
    { fleets: [{ churn: { perSensorPerHour: -1 } }] },
    "$.fleets[0].churn.perSensorPerHour: below minimum",
  ],
  [
    { fleets: [{ churn: { perSensorPerHour: 3601 } }] },
    "$.fleets[0].churn.perSensorPerHour: above maximum",
  ],
  [
    { fleets: [{ churn: { perSensorPerHour: "often" } }] },
    "$.fleets[0].churn.perSensorPerHour: not of type number",
  ],
  [{ fleets: [{ churn: { offline: "soon" } }] }, "$.fleets[0].churn.offline: does not match"],
  [{ run: { commandRate: 100001 } }, "$.run.commandRate: above maximum"],
  [{ run: { commandRate: -0.5 } }, "$.run.commandRate: below minimum"],
  [{ run: { commandRate: "5/s" } }, "$.run.commandRate: not of type number"],
  [{ stages: [{ duration: "1s" }] }, "$.stages[0].target: required"],
  [{ thresholds: "lost==0" }, "$.thresholds: not of type array"],
  [{ thresholds: [""] }, "$.thresholds[0]: does not match"],
  [["fleets"], "$: not of type object"],
];

Deno.test("scenarioJsonSchema() equals the committed examples/scenario.schema.json", () => {
  const committed = JSON.parse(Deno.readTextFileSync(SCHEMA_PATH));
  assert.deepEqual(committed, scenarioJsonSchema(), `regenerate it with: ${REGENERATE}`);
});

Deno.test("scenarioJsonSchema() is draft 2020-12 and uses only the checked keywords", () => {
  const schema = scenarioJsonSchema();
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  for (const [path, subschema] of subschemas(schema)) {
    for (const keyword of Object.keys(subschema)) {
      assert.ok(
        ANNOTATIONS.includes(keyword) || ASSERTIONS.includes(keyword),
        `${path}: ${keyword}`,
      );
    }
    if (!/(\[\]|\.\*|\|\d+)$/.test(path)) {
      assert.equal(typeof subschema.description, "string", path);
    }
    // Sections reject unknown keys; a name-to-string map bounds how many names it takes.
    if (subschema.type === "object" && subschema.additionalProperties !== false) {
      assert.equal(typeof subschema.maxProperties, "number", path);
    }
    if (subschema.pattern !== undefined) new RegExp(subschema.pattern as string, "u");
  }
});

Deno.test("scenarioJsonSchema() gives each default a value its own schema accepts", () => {
  let defaults = 0;
  for (const [path, subschema] of subschemas(scenarioJsonSchema())) {
    if (!("default" in subschema)) continue;
    defaults++;
    assert.deepEqual(validate(subschema, subschema.default), [], path);
  }
  assert.ok(defaults > 20, `only ${defaults} defaults`);
});

Deno.test("scenarioJsonSchema() takes its defaults from the scenario defaults", () => {
  const schema = scenarioJsonSchema() as {
    properties: Record<string, { default?: unknown; properties?: Record<string, Schema> }>;
  };
  const { run, fleets } = schema.properties;
  assert.equal(run.properties?.duration.default, "1m");
  assert.equal(run.properties?.connectRate.default, 1000);
  assert.equal(run.properties?.commandRate.default, 0);
  assert.deepEqual(fleets.default, [{
    name: "fleet-1",
    count: 10000,
    profile: "environment",
    interval: "5s",
    jitter: "0",
    qos: 0,
    retain: false,
    topic: "sensors/{id}/telemetry",
    clientId: "iotload-{id}",
    payloadSize: 0,
    offline: { buffer: 0 },
    // status and commands are off by default, so the file leaves them out.
    mqtt5: { userProperties: {}, messageExpiry: 0, topicAlias: false },
    churn: { perSensorPerHour: 0, offline: "5s" },
  }]);
  const fleet = fleets as unknown as { items: { properties: Record<string, Schema> } };
  const { commands } = fleet.items.properties;
  assert.deepEqual(commands.required, ["topic"]);
  const commandFields = commands.properties as Record<string, Schema>;
  assert.equal(commandFields.responseTopic.default, "devices/{id}/responses");
  assert.equal("default" in commandFields.topic, false);
  // Defaults that depend on other fields are described in words instead.
  const broker = schema.properties.broker.properties ?? {};
  assert.equal("default" in broker.protocolVersion, false);
  assert.match(broker.protocolVersion.description as string, /Default: 5; 4 without a url/);
});

Deno.test("scenarioJsonSchema() accepts every example", () => {
  const schema = scenarioJsonSchema();
  const examples = exampleDocuments();
  assert.equal(examples.length, 4);
  for (const [name, document] of examples) assert.deepEqual(validate(schema, document), [], name);
});

Deno.test("scenarioJsonSchema() accepts ${VAR} references where a pattern applies", () => {
  const document = {
    broker: { url: "${BROKER_URL}", password: "${IOTLOAD_PASSWORD}", keepalive: "${KEEPALIVE}" },
    fleets: [{
      name: "${TEAM}-sensors",
      interval: "${INTERVAL}",
      jitter: 0,
      status: { topic: "${STATUS_TOPIC}" },
      mqtt5: { userProperties: { site: "${SITE}" }, contentType: "${CONTENT_TYPE}" },
      churn: { offline: "${CHURN_OFFLINE}" },
    }],
  };
  assert.deepEqual(validate(scenarioJsonSchema(), document), []);
});

Deno.test("scenarioJsonSchema() accepts status, commands, MQTT 5 properties, churn and decimals", () => {
  const document = {
    broker: { url: "mqtt://h", protocolVersion: 5 },
    fleets: [{
      status: { topic: "s/{id}" },
      commands: { topic: "c/{id}", responseTopic: "r/{index}" },
      mqtt5: {
        userProperties: { site: "hq", "rack id": "7" },
        messageExpiry: "1m",
        contentType: "application/json",
        topicAlias: true,
      },
      churn: { perSensorPerHour: 0.5, offline: "3s" },
      payloadTemplate: '{"site":"hq","who":"{faker:person.fullName}",{reading}}',
    }],
    run: { commandRate: 2.5 },
  };
  assert.deepEqual(validate(scenarioJsonSchema(), document), []);
  const scenario = parseScenarioText(JSON.stringify(document), "full.json", {});
  assert.equal(scenario.fleets[0].churnPerSensorPerHour, 0.5);
  assert.equal(scenario.commandRatePerSec, 2.5);
  assert.deepEqual(scenario.fleets[0].userProperties, { site: "hq", "rack id": "7" });
  assert.equal(
    scenario.fleets[0].payloadTemplate,
    '{"site":"hq","who":"{faker:person.fullName}",{reading}}',
  );
});

Deno.test("scenarioJsonSchema() rejects broken documents, as the loader does", () => {
  const schema = scenarioJsonSchema();
  for (const [document, expected] of BROKEN) {
    const problems = validate(schema, document);
    assert.ok(
      problems.some((problem) => problem.startsWith(expected)),
      `${JSON.stringify(document)}: ${problems.join("; ") || "accepted"}`,
    );
    assert.throws(
      () => parseScenarioText(JSON.stringify(document), "broken.json", {}),
      UsageError,
      JSON.stringify(document),
    );
  }
});
