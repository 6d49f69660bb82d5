import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { describeFileError } from "./file_errors.ts";
import type { Scenario } from "./scenario.ts";
import { UsageError } from "./usage_error.ts";
import { readUserTextFile } from "./user_file.ts";
import { isPerSensor } from "./credential_template.ts";

/** PEM material read from the scenario's TLS files. */
export interface TlsFiles {
  /** CA bundle, PEM. */
  readonly ca?: string;
  /** Client certificate, PEM. */
  readonly cert?: string;
  /** Client key, PEM (a secret: never printed). */
  readonly key?: string;
  /** The probe's and the commander's own certificate and key, PEM, when given. */
  readonly probe?: { readonly cert: string; readonly key: string };
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
  // A path with a sensor placeholder names each device's own file (checked by the run).
  const shared = (path: string | undefined) =>
    path === undefined || isPerSensor(path) ? undefined : path;
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
  /** A certificate and its key, each parsed, and the key checked against the certificate. */
  const readPair = async (
    certPath: string | undefined,
    keyPath: string | undefined,
    certFlag: string,
    keyFlag: string,
  ) => {
    const texts = { cert: await read(certPath, certFlag), key: await read(keyPath, keyFlag) };
    const cert = parse(
      texts.cert,
      certFlag,
      certPath,
      "PEM certificate",
      (pem) => new X509Certificate(pem),
    );
    const key: KeyObject | undefined = parse(
      texts.key,
      keyFlag,
      keyPath,
      "PEM private key (encrypted keys are not supported)",
      (pem) => createPrivateKey(pem),
    );
    if (cert !== undefined && key !== undefined && !cert.checkPrivateKey(key)) {
      problems.push(
        `${keyFlag}: ${JSON.stringify(keyPath)} does not belong to the certificate in ${
          JSON.stringify(certPath)
        }`,
      );
    }
    return texts;
  };
  const ca = await read(scenario.caPath, "--ca");
  parse(ca, "--ca", scenario.caPath, "PEM certificate", (pem) => new X509Certificate(pem));
  const own = await readPair(
    shared(scenario.certPath),
    shared(scenario.keyPath),
    "--cert",
    "--key",
  );
  const probe = await readPair(
    scenario.probeCertPath,
    scenario.probeKeyPath,
    "--probe-cert",
    "--probe-key",
  );
  const files: TlsFiles = {
    ca,
    cert: own.cert,
    key: own.key,
    probe: probe.cert === undefined || probe.key === undefined
      ? undefined
      : { cert: probe.cert, key: probe.key },
  };
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return files;
}
