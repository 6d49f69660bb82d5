import type { Scenario } from "../config/scenario.ts";

/** The hint under a "not permitted" error; README's "single binary" section says why. */
export const PERMISSION_HINT =
  "iotload needs --allow-net --allow-read --allow-write --allow-env (the compiled binary has them)";

/** Answers whether a permission is granted, without ever prompting. */
export type PermissionQuery = (descriptor: Deno.PermissionDescriptor) => Deno.PermissionState;

/** Deno's own answer for this process. */
export const denoPermissionQuery: PermissionQuery = (descriptor) =>
  Deno.permissions.querySync(descriptor).state;

/**
 * Every permission the run will need that this process lacks, one line each naming the
 * flag, so a restricted build fails before anything connects instead of part-way
 * through: network access to the broker (or to loopback for the embedded one) and
 * write access for `--out` and `--timeline`. Files read up front (scenario, TLS, payload) say so
 * themselves when they are read.
 */
export function permissionProblems(scenario: Scenario, query: PermissionQuery): string[] {
  const problems: string[] = [];
  const host = scenario.url === null ? "127.0.0.1" : brokerHost(scenario.url);
  if (host !== null && query({ name: "net", host }) !== "granted") {
    problems.push(`not permitted: network access to ${host} needs --allow-net`);
  }
  for (const [flag, path] of [["--out", scenario.outPath], ["--timeline", scenario.timelinePath]]) {
    if (path !== null && query({ name: "write", path }) !== "granted") {
      problems.push(`not permitted: ${flag} ${JSON.stringify(path)} needs --allow-write`);
    }
  }
  return problems;
}

function brokerHost(url: string): string | null {
  try {
    const parsed = new URL(url);
    // Deno's net descriptors name IPv6 hosts without brackets.
    return parsed.hostname.replace(/^\[(.*)\]$/, "$1") || null;
  } catch {
    return null;
  }
}
