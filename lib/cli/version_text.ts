/** What `iotload version` reports about the runtime and the build. */
export interface RuntimeInfo {
  /** Deno, V8 and TypeScript versions (`Deno.version`). */
  readonly versions: { readonly deno: string; readonly v8: string; readonly typescript: string };
  /** The build's target triple and whether it is a compiled binary (`Deno.build`). */
  readonly build: { readonly target: string; readonly standalone?: boolean };
}

/** The runtime this process runs on. */
export function currentRuntime(): RuntimeInfo {
  return { versions: Deno.version, build: Deno.build };
}

/**
 * The `iotload version` text for bug reports: the tool's version, then Deno, V8 and
 * TypeScript, then the target and how the program was built.
 */
export function formatVersion(toolVersion: string, runtime: RuntimeInfo): string {
  const { deno, v8, typescript } = runtime.versions;
  const shape = runtime.build.standalone === true ? "compiled binary" : "deno run";
  return [
    `iotload ${toolVersion}`,
    `deno ${deno} · v8 ${v8} · typescript ${typescript}`,
    `target ${runtime.build.target} (${shape})`,
    "",
  ].join("\n");
}
