import assert from "node:assert/strict";
import { formatVersion } from "../../lib/cli/version_text.ts";

const RUNTIME = {
  versions: { deno: "2.9.6", v8: "15.0.245.2-rusty", typescript: "6.0.3" },
  build: { target: "aarch64-apple-darwin", standalone: true },
};

Deno.test("formatVersion() names the tool, Deno, V8, TypeScript, the target and the build", () => {
  assert.equal(
    formatVersion("1.2.3", RUNTIME),
    "iotload 1.2.3\ndeno 2.9.6 · v8 15.0.245.2-rusty · typescript 6.0.3\n" +
      "target aarch64-apple-darwin (compiled binary)\n",
  );
});

Deno.test("formatVersion() says when the program runs from source or a bundle", () => {
  const text = formatVersion("1.2.3", {
    ...RUNTIME,
    build: { target: "x86_64-unknown-linux-gnu" },
  });
  assert.match(text, /target x86_64-unknown-linux-gnu \(deno run\)\n$/);
});
