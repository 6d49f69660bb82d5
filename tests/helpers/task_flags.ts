import denoJson from "../../deno.json" with { type: "json" };

/**
 * Flags of a deno.json task command that shape how the program runs: the permissions it
 * grants or withholds, and the V8 flags (the young generation's size).
 */
function runtimeFlagsOf(command: string): string[] {
  return command.split(/\s+/).filter((word) =>
    /^--(allow|deny)-[a-z]+(=.*)?$/.test(word) || word === "--no-prompt" || word === "-A" ||
    word.startsWith("--v8-flags=")
  );
}

/**
 * The permissions and V8 flags `deno task compile` bakes into the binary: the one
 * definition that `deno task load`, the CLI tests, the benchmark, the shipped-bundle
 * check and the release builds use.
 */
export const SHIPPED_RUNTIME_FLAGS: readonly string[] = runtimeFlagsOf(
  denoJson.tasks.compile.command,
);

/** The runtime flags of `deno task load` (kept equal to the compiled binary's). */
export const LOAD_TASK_RUNTIME_FLAGS: readonly string[] = runtimeFlagsOf(
  denoJson.tasks.load.command,
);
