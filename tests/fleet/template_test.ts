import assert from "node:assert/strict";
import { UsageError } from "../../lib/config/usage_error.ts";
import {
  compileTemplate,
  compileTopicTemplate,
  formatSensorId,
  idWidthFor,
  TEMPLATE_PLACEHOLDERS,
  topicFilterFor,
} from "../../lib/fleet/template.ts";

function assertUsageError(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `not a UsageError: ${error}`);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

Deno.test("TEMPLATE_PLACEHOLDERS lists {id} and {index}", () => {
  assert.deepEqual([...TEMPLATE_PLACEHOLDERS], ["id", "index"]);
});

Deno.test("idWidthFor() is the width of the largest index", () => {
  assert.equal(idWidthFor(10_000), 4);
  assert.equal(idWidthFor(10_001), 5);
  assert.equal(idWidthFor(50), 2);
  assert.equal(idWidthFor(10), 1);
  assert.equal(idWidthFor(11), 2);
  assert.equal(idWidthFor(1), 1);
});

Deno.test("formatSensorId() zero-pads to the width and never truncates", () => {
  assert.equal(formatSensorId(0, 4), "0000");
  assert.equal(formatSensorId(9_999, 4), "9999");
  assert.equal(formatSensorId(7, 2), "07");
  assert.equal(formatSensorId(0, 1), "0");
  assert.equal(formatSensorId(123, 2), "123");
});

Deno.test("compileTemplate() renders {id} padded and {index} plain", () => {
  const render = compileTemplate("sensors/{id}/telemetry", "--topic");
  assert.equal(render(0, idWidthFor(10_000)), "sensors/0000/telemetry");
  assert.equal(render(9_999, idWidthFor(10_000)), "sensors/9999/telemetry");
  assert.equal(render(3, idWidthFor(50)), "sensors/03/telemetry");
  assert.equal(render(0, idWidthFor(1)), "sensors/0/telemetry");
  const both = compileTemplate("{index}-{id}-{id}", "--client-id");
  assert.equal(both(42, 5), "42-00042-00042");
});

Deno.test("compileTemplate() renders a template without placeholders as itself", () => {
  assert.equal(compileTemplate("fixed/topic", "--topic")(5, 3), "fixed/topic");
});

Deno.test("compileTemplate() rejects an unknown placeholder, listing the known ones", () => {
  assertUsageError(
    () => compileTemplate("a/{foo}", "--topic"),
    `--topic: unknown placeholder {foo} in "a/{foo}"; known: {id}, {index}`,
  );
  assertUsageError(
    () => compileTemplate("a/{}", "--topic"),
    /unknown placeholder \{\}/,
  );
  assertUsageError(
    () => compileTemplate("{ID}", "--client-id"),
    /^--client-id: /,
  );
});

Deno.test("compileTemplate() rejects an unclosed { and a stray }", () => {
  assertUsageError(
    () => compileTemplate("sensors/{id", "--topic"),
    `--topic: unclosed "{" in "sensors/{id"`,
  );
  assertUsageError(
    () => compileTemplate("sensors/id}", "--topic"),
    `--topic: unmatched "}" in "sensors/id}"`,
  );
});

Deno.test("compileTemplate() rejects an empty template", () => {
  assertUsageError(
    () => compileTemplate("", "--client-id"),
    "--client-id: must not be empty",
  );
});

Deno.test("compileTemplate() errors carry a hint naming the placeholders", () => {
  try {
    compileTemplate("{id", "--topic");
    assert.fail("expected a UsageError");
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.equal(error.hint, "known placeholders: {id}, {index}");
  }
});

Deno.test("compileTopicTemplate() rejects the MQTT wildcards + and #", () => {
  assertUsageError(
    () => compileTopicTemplate("sensors/+/{id}", "--topic"),
    /^--topic: "sensors\/\+\/\{id\}" contains the wildcard "\+"/,
  );
  assertUsageError(
    () => compileTopicTemplate("sensors/{id}/#", "--topic"),
    /wildcard "#"/,
  );
  assertUsageError(() => compileTopicTemplate("a\u0000b", "--topic"), /NUL/);
  assertUsageError(
    () => compileTopicTemplate("", "--topic"),
    "--topic: must not be empty",
  );
});

Deno.test("compileTopicTemplate() renders like compileTemplate()", () => {
  assert.equal(
    compileTopicTemplate("plant/{index}/env", "--topic")(12, 4),
    "plant/12/env",
  );
});

Deno.test("compileTemplate() allows + and # in client ids", () => {
  assert.equal(compileTemplate("dev#{id}+", "--client-id")(1, 2), "dev#01+");
});

Deno.test("topicFilterFor() turns each level holding a placeholder into +", () => {
  assert.equal(topicFilterFor("sensors/{id}/telemetry"), "sensors/+/telemetry");
  assert.equal(topicFilterFor("a/dev-{id}"), "a/+");
  assert.equal(topicFilterFor("{index}/x/{id}-{index}"), "+/x/+");
  assert.equal(topicFilterFor("fixed/topic"), "fixed/topic");
  assert.equal(topicFilterFor("/{id}/"), "/+/");
  assert.equal(
    topicFilterFor("$aws/things/{id}/shadow"),
    "$aws/things/+/shadow",
  );
});

Deno.test("topicFilterFor() rejects what compileTopicTemplate() rejects", () => {
  assertUsageError(
    () => topicFilterFor("a/{foo}"),
    /^--topic: unknown placeholder \{foo\}/,
  );
  assertUsageError(
    () => topicFilterFor("a/+/{id}", "topic"),
    /^topic: .*wildcard/,
  );
  assertUsageError(() => topicFilterFor(""), "--topic: must not be empty");
});

Deno.test("topicFilterFor() rejects a placeholder in a first level starting with $", () => {
  assertUsageError(() => topicFilterFor("${id}/telemetry"), /starts with "\$"/);
});
