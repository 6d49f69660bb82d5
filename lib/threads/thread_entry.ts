/**
 * Every worker thread of iotload starts from the program's own entry module, told its
 * job by the worker's name. One file serves as the main program and as every worker,
 * so the same code runs from source, from a `deno bundle` output and from a
 * `deno compile` binary: no second file has to be found next to the program.
 *
 * @module
 */

/** The jobs a worker thread can take. */
export type ThreadRole = "broker" | "fleet";

const ROLE_PREFIX = "iotload:";

/**
 * The entry module's URL. Bundled, every module shares the bundle's URL, which is then
 * the main module's; from source (and in a binary compiled from source) the entry is
 * `main.ts` at the repository root.
 */
function entryModuleUrl(): string {
  const mainModule = (globalThis as { Deno?: { mainModule?: string } }).Deno?.mainModule;
  return import.meta.url === mainModule
    ? import.meta.url
    : new URL("../../main.ts", import.meta.url).href;
}

/** Starts a worker thread running the entry module in `role`. */
export function startThread(role: ThreadRole): Worker {
  return new Worker(entryModuleUrl(), { type: "module", name: `${ROLE_PREFIX}${role}` });
}

/** The role this thread was started in, or null on the main thread. */
export function currentThreadRole(): ThreadRole | null {
  const scope = globalThis as { WorkerGlobalScope?: unknown; name?: unknown };
  if (scope.WorkerGlobalScope === undefined || typeof scope.name !== "string") return null;
  const role = scope.name.startsWith(ROLE_PREFIX) ? scope.name.slice(ROLE_PREFIX.length) : "";
  if (role === "broker" || role === "fleet") return role;
  throw new Error(`unknown worker thread role ${JSON.stringify(scope.name)}`);
}

/**
 * Keeps the messages that reach this worker thread while its role's code is still
 * loading; the returned function hands them, in order, to the handler the role has
 * installed by then. Without it those first messages would find no handler and be lost.
 */
export function holdEarlyMessages(): () => void {
  const scope = globalThis as unknown as { onmessage: ((event: MessageEvent) => void) | null };
  const early: MessageEvent[] = [];
  scope.onmessage = (event) => early.push(event);
  return () => {
    for (const event of early.splice(0)) scope.onmessage?.(event);
  };
}
