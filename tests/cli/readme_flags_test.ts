import assert from "node:assert/strict";
import { formatFlagTableMarkdown } from "../../lib/cli/help.ts";

const README = new URL("../../README.md", import.meta.url);

/** The rows of a Markdown table, each cell trimmed, so column padding does not count. */
function tableRows(markdown: string): string[][] {
  return markdown.split("\n").filter((line) => line.startsWith("|")).map((line) =>
    line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/^-+$/, "---"))
  );
}

Deno.test("README's flag table is the one the settings table gives", () => {
  const text = Deno.readTextFileSync(README);
  const section = text.slice(
    text.indexOf("<!-- flags:begin -->"),
    text.indexOf("<!-- flags:end -->"),
  );
  assert.deepEqual(
    tableRows(section),
    tableRows(formatFlagTableMarkdown()),
    "regenerate it with: deno run -A .ci/generate.ts",
  );
});

Deno.test("the flag table lists every flag with its variable", () => {
  const rows = tableRows(formatFlagTableMarkdown()).slice(2);
  const sensors = rows.find((row) => row[0] === "`-c, --sensors N`");
  assert.deepEqual(sensors?.slice(1, 4), ["`IOTLOAD_SENSORS`", "`fleets[].count`", "10000"]);
  const noProbe = rows.find((row) => row[0] === "`--no-probe`");
  assert.equal(noProbe?.[1], "`IOTLOAD_NO_PROBE`");
  assert.match(noProbe?.[4] ?? "", /^Do not run the subscriber/);
});
