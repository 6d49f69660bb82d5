import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { describeFileError } from "./file_errors.ts";
import type { Scenario } from "./scenario.ts";
import { UsageError } from "./usage_error.ts";
import { readUserTextFile } from "./user_file.ts";

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
 * Reads the TLS files a scenario names and checks them before anything connects: each
 * is a readable PEM file that parses (the CA and the certificate as X.509, the key as
 * a private key), and the key belongs to the certificate. Every problem is reported
 * together as one {@linkcode UsageError}, naming the file; never its contents.
 */
export async function loadTlsFiles(scenario: Scenario): Promise<TlsFiles> {
  const problems: string[] = [];
  const read = async (path: string | undefined, flag: string) => {
    if (path === undefined) return undefined;
    try {
      const text = await readUserTextFile(path);
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
  const parse = <T>(
    text: string | undefined,
    flag: string,
    path: string | undefined,
    what: string,
    make: (pem: string) => T,
  ) => {
    if (text === undefined) return undefined;
    try {
      return make(text);
    } catch {
      problems.push(`${flag}: ${JSON.stringify(path)} does not hold a valid ${what}`);
      return undefined;
    }
  };
  parse(files.ca, "--ca", scenario.caPath, "PEM certificate", (pem) => new X509Certificate(pem));
  const cert = parse(
    files.cert,
    "--cert",
    scenario.certPath,
    "PEM certificate",
    (pem) => new X509Certificate(pem),
  );
  const key: KeyObject | undefined = parse(
    files.key,
    "--key",
    scenario.keyPath,
    "PEM private key (encrypted keys are not supported)",
    (pem) => createPrivateKey(pem),
  );
  if (cert !== undefined && key !== undefined && !cert.checkPrivateKey(key)) {
    problems.push(
      `--key: ${JSON.stringify(scenario.keyPath)} does not belong to the certificate in ${
        JSON.stringify(scenario.certPath)
      }`,
    );
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return files;
}
