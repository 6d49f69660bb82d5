import assert from "node:assert/strict";
import { checkPayloadTemplate } from "../../lib/config/payload_template_check.ts";
import { checkTemplate, checkTopicTemplate } from "../../lib/config/templates.ts";
import { UsageError } from "../../lib/config/usage_error.ts";
import { createIdentity } from "../../lib/fleet/identity.ts";
import {
  type CompiledPayloadTemplate,
  compilePayloadTemplate,
} from "../../lib/fleet/payload_template.ts";
import { createRandom, nextRandom } from "../../lib/fleet/random.ts";
import { compileTemplate, compileTopicTemplate, topicFilterFor } from "../../lib/fleet/template.ts";

/** The fleet's seeded generator, so every run checks the same strings. */
function seeded(seed: number): () => number {
  const state = createRandom(seed, 0);
  return () => nextRandom(state);
}

const PIECES = [
  "{",
  "}",
  "{id}",
  "{index}",
  "{fleet}",
  "{x}",
  "/",
  "+",
  "#",
  "a",
  "$",
  "é",
  "",
  " ",
];

Deno.test("template checks and compilers throw nothing but UsageError on 3,000 random templates", () => {
  const random = seeded(20_261_130);
  let accepted = 0;
  for (let n = 0; n < 3_000; n++) {
    const length = Math.floor(random() * 8);
    const template = Array.from(
      { length },
      () => PIECES[Math.floor(random() * PIECES.length)],
    ).join("");
    for (
      const check of [
        () => checkTemplate(template, "--client-id"),
        () => checkTopicTemplate(template, "--topic"),
        () => compileTemplate(template, "--client-id")(7, 3),
        () => compileTopicTemplate(template, "--topic")(7, 3),
        () => topicFilterFor(template),
      ]
    ) {
      try {
        check();
        accepted++;
      } catch (error) {
        assert.ok(error instanceof UsageError, `${JSON.stringify(template)}: ${error}`);
      }
    }
  }
  assert.ok(accepted > 100, "some random templates are valid");
});

const MEMBER_PIECES = [
  '"a":1',
  '"b":"{id}"',
  "{reading}",
  '"t":{reading.temperatureC}',
  '"m":"{identity.model}"',
  '"lat":{identity.lat}',
  '"n":{index}{seq}',
  '"o":{"s":{seq}}',
  '"q":"}{\\""',
  '"w":"{faker:person.firstName}"',
  '"k":{faker:number.int}',
  '"ts":{ts}',
];
const SEPARATORS = [",", ",", ",", ", ", ",,", " ", "{", "}", '"', ":", "{nope}", "{id}"];

Deno.test("checkPayloadTemplate() and compilePayloadTemplate() agree on 3,000 random templates", () => {
  const random = seeded(20_261_201);
  const pick = (pieces: readonly string[]) => pieces[Math.floor(random() * pieces.length)];
  let compiled = 0;
  for (let n = 0; n < 3_000; n++) {
    const members = Array.from({ length: Math.floor(random() * 5) }, () => pick(MEMBER_PIECES));
    const template = members.slice(1).reduce(
      (text, member) => `${text}${pick(SEPARATORS)}${member}`,
      members[0] ?? "",
    );
    const text = random() < 0.9 ? `{${template}}` : template;
    let checked = true;
    try {
      checkPayloadTemplate(text, "--payload-template");
    } catch (error) {
      assert.ok(error instanceof UsageError, `${JSON.stringify(text)}: ${error}`);
      checked = false;
    }
    let render: CompiledPayloadTemplate;
    try {
      render = compilePayloadTemplate(text, "--payload-template");
    } catch (error) {
      assert.ok(error instanceof UsageError, `${JSON.stringify(text)}: ${error}`);
      continue;
    }
    // The config-side check is the looser one: what the fleet compiles, it accepts.
    assert.ok(checked, `checkPayloadTemplate() refused ${JSON.stringify(text)}`);
    compiled++;
    for (const readingJson of ['"temperatureC":-4.5,"open":true', ""]) {
      const body = render({
        sensorId: "0007",
        index: 7,
        seq: n,
        tsMs: 1_764_480_000_000 + n,
        identity: createIdentity(1, n),
        readingJson,
      });
      assert.doesNotThrow(() => JSON.parse(`{${body}}`), `${text} gave ${body}`);
    }
  }
  assert.ok(compiled > 300, `only ${compiled} random templates compiled`);
});
