import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";
import { LOAD_TASK_RUNTIME_FLAGS, SHIPPED_RUNTIME_FLAGS } from "../helpers/task_flags.ts";

Deno.test("deno task load runs with exactly the flags the compiled binary bakes in, and no subprocesses", () => {
  assert.deepEqual(LOAD_TASK_RUNTIME_FLAGS, SHIPPED_RUNTIME_FLAGS);
  assert.ok(SHIPPED_RUNTIME_FLAGS.includes("--no-prompt"));
  // A smaller young generation: tens of MB less at a few thousand sensors (README, Sizing).
  assert.ok(SHIPPED_RUNTIME_FLAGS.includes("--v8-flags=--max-semi-space-size=8"));
  for (const flag of SHIPPED_RUNTIME_FLAGS) {
    assert.ok(!flag.startsWith("--allow-run") && flag !== "-A" && flag !== "--allow-all", flag);
  }
});

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs main.ts granted only `permissions`; its exit code and stderr. */
async function runWith(
  permissions: readonly string[],
  args: readonly string[],
): Promise<{ code: number; stderr: string }> {
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "--no-prompt", MAIN, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: child.code, stderr: new TextDecoder().decode(child.stderr) };
}

Deno.test("iotload run under fewer permissions says which one is missing, before connecting", async () => {
  const { code, stderr } = await runWith(["--allow-read", "--allow-env"], [
    "run",
    "--sensors",
    "1",
  ]);
  assert.equal(code, 2, stderr);
  assert.equal(
    stderr,
    "error: not permitted: network access to 127.0.0.1 needs --allow-net\n" +
      "hint: iotload needs --allow-net --allow-read --allow-write --allow-env (the compiled binary has them)\n",
  );
});

Deno.test("iotload --version without environment access is one error line, not a stack", async () => {
  const { code, stderr } = await runWith(["--allow-read"], ["--version"]);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^error: not permitted: requires env access to "\w+"\nhint: /);
});

Deno.test("iotload version prints the tool, runtime and target", async () => {
  const result = await runCli(["version"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^iotload \d+\.\d+\.\d+\ndeno \S+ · v8 \S+ · typescript \S+\ntarget \S+ /,
  );
});
