import assert from "node:assert/strict";
import { checkTemplate, checkTopicTemplate } from "../../lib/config/apply_overrides.ts";
import { UsageError } from "../../lib/config/usage_error.ts";
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
