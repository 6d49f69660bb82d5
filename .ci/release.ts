/**
 * `deno task release`: builds `dist/iotload-<target>` for every release target, with
 * the permissions and V8 flags of `deno task compile`, and writes `dist/iotload-<target>.sha256`
 * beside each. A target whose `denort` base cannot be had (no download, no cache) is
 * skipped with a line saying so; the task fails only when no target could be built.
 *
 * @module
 */
import { compileFailureReason } from "./compile_failure.ts";
import { SHIPPED_RUNTIME_FLAGS } from "../tests/helpers/task_flags.ts";

/** The targets a release ships. */
const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
] as const;

const REPO = new URL("..", import.meta.url).pathname;
const DECODER = new TextDecoder();

let built = 0;
await Deno.mkdir(`${REPO}dist`, { recursive: true });
for (const target of TARGETS) {
  const name = `iotload-${target}`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--frozen",
      ...SHIPPED_RUNTIME_FLAGS,
      "--target",
      target,
      "--output",
      `dist/${name}`,
      "main.ts",
    ],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    console.log(`skipped ${target}: ${compileFailureReason(DECODER.decode(output.stderr))}`);
    continue;
  }
  const bytes = await Deno.readFile(`${REPO}dist/${name}`);
  const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
  // The sha256sum format, so `sha256sum -c dist/iotload-<target>.sha256` checks it.
  await Deno.writeTextFile(`${REPO}dist/${name}.sha256`, `${digest}  ${name}\n`);
  console.log(`built dist/${name} (${(bytes.length / 1e6).toFixed(1)} MB) sha256 ${digest}`);
  built++;
}
if (built === 0) {
  console.log("error: no target could be built (deno compile needs its denort base per target)");
  Deno.exit(1);
}
