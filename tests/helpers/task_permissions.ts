import denoJson from "../../deno.json" with { type: "json" };

/** Flags of a deno.json task command that grant or restrict permissions. */
function permissionFlagsOf(command: string): string[] {
  return command.split(/\s+/).filter((word) =>
    /^--(allow|deny)-[a-z]+(=.*)?$/.test(word) || word === "--no-prompt" || word === "-A"
  );
}

/**
 * The permissions `deno task compile` bakes into the binary: the one definition that
 * `deno task load`, the CLI tests, the shipped-bundle check and the release builds use.
 */
export const SHIPPED_PERMISSION_FLAGS: readonly string[] = permissionFlagsOf(
  denoJson.tasks.compile.command,
);

/** The permission flags of `deno task load` (kept equal to the compiled binary's). */
export const LOAD_TASK_PERMISSION_FLAGS: readonly string[] = permissionFlagsOf(
  denoJson.tasks.load.command,
);
