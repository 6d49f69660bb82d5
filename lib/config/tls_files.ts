import { describeFileError } from "./file_errors.ts";
import type { Scenario } from "./scenario.ts";
import { UsageError } from "./usage_error.ts";

/** PEM material read from the scenario's TLS files. */
export interface TlsFiles {
  /** CA bundle, PEM. */
  readonly ca?: string;
  /** Client certificate, PEM. */
  readonly cert?: string;
  /** Client key, PEM (a secret: never printed). */
  readonly key?: string;
}

/**
 * Reads the TLS files a scenario names, checking each is readable PEM; every problem
 * is reported together as one {@linkcode UsageError}. Never prints file contents.
 */
export async function loadTlsFiles(scenario: Scenario): Promise<TlsFiles> {
  const problems: string[] = [];
  const read = async (path: string | undefined, flag: string) => {
    if (path === undefined) return undefined;
    try {
      const text = await Deno.readTextFile(path);
      if (!text.includes("-----BEGIN ")) {
        problems.push(`${flag}: ${JSON.stringify(path)} is not a PEM file (no "-----BEGIN" line)`);
        return undefined;
      }
      return text;
    } catch (error) {
      problems.push(`${flag}: cannot read ${JSON.stringify(path)}: ${describeFileError(error)}`);
      return undefined;
    }
  };
  const files = {
    ca: await read(scenario.caPath, "--ca"),
    cert: await read(scenario.certPath, "--cert"),
    key: await read(scenario.keyPath, "--key"),
  };
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return files;
}
