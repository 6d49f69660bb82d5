/**
 * The one line of a failed `deno compile`'s stderr that says why: its second cause
 * (for a missing base, the download's error), else its `error:` line.
 */
export function compileFailureReason(stderr: string): string {
  // deno-lint-ignore no-control-regex
  const lines = stderr.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const causes = lines.map((line) => /^\s*\d+: (.*)$/.exec(line)?.[1]).filter((cause) =>
    cause !== undefined && cause !== "<unknown>"
  );
  return causes[1] ?? causes[0] ?? lines.find((line) => line.startsWith("error:")) ??
    "unknown reason";
}
