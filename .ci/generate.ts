/**
 * Writes the two files derived from the settings table that are committed: README.md's
 * flag table (between `<!-- flags:begin -->` and `<!-- flags:end -->`) and
 * `examples/scenario.schema.json`; then formats both. Tests fail, naming this command,
 * when either is out of step. Run: `deno run -A .ci/generate.ts`.
 *
 * @module
 */

import { formatFlagTableMarkdown } from "../lib/cli/help.ts";
import { scenarioJsonSchema } from "../lib/config/json_schema.ts";

const README = new URL("../README.md", import.meta.url);
const SCHEMA = new URL("../examples/scenario.schema.json", import.meta.url);
const BEGIN = "<!-- flags:begin -->\n";
const END = "<!-- flags:end -->";

const text = Deno.readTextFileSync(README);
const start = text.indexOf(BEGIN);
const end = text.indexOf(END);
if (start < 0 || end < start) throw new Error(`README.md lacks ${BEGIN.trim()} ... ${END}`);
Deno.writeTextFileSync(
  README,
  `${text.slice(0, start + BEGIN.length)}\n${formatFlagTableMarkdown()}\n${text.slice(end)}`,
);
Deno.writeTextFileSync(SCHEMA, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
const format = new Deno.Command(Deno.execPath(), {
  args: ["fmt", README.pathname, SCHEMA.pathname],
});
if (!(await format.output()).success) throw new Error("deno fmt failed");
