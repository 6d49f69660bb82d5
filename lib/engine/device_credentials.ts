/**
 * Each sensor's own identity towards the broker: a username and password from
 * templates (`dev-{id}`) or the fleet's credentials file, and a client certificate and
 * key from path templates (`certs/{id}.pem`), read when the sensor connects (never all
 * held at once). Checked up front by {@linkcode credentialProblems}.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { type FileCredentials, readCredentialsFile } from "../config/credentials_file.ts";
import { describeFileError } from "../config/file_errors.ts";
import type { FleetSpec, Scenario } from "../config/scenario.ts";
import { UsageError } from "../config/usage_error.ts";
import { readUserTextFileSync } from "../config/user_file.ts";
import { isPerSensor, renderCredential } from "../config/credential_template.ts";
import type { SensorCredentials } from "../transport/client_factory.ts";
import { formatSensorId, idWidthFor } from "../fleet/template.ts";

/** Where each part of a fleet's sensors' identity comes from. */
interface IdentitySources {
  readonly username: string | null;
  readonly password: string | null;
  readonly file: string | null;
  readonly cert: string | null;
  readonly key: string | null;
}

/** The fleet's identity templates: its own, or the broker's when those differ per sensor. */
function sourcesOf(fleet: FleetSpec, scenario: Scenario): IdentitySources {
  const perSensor = (value: string | undefined) =>
    value !== undefined && isPerSensor(value) ? value : null;
  return {
    username: fleet.usernameTemplate ?? perSensor(scenario.username),
    password: fleet.passwordTemplate ?? perSensor(scenario.password),
    file: fleet.credentialsPath,
    cert: fleet.certTemplate ?? perSensor(scenario.certPath),
    key: fleet.keyTemplate ?? perSensor(scenario.keyPath),
  };
}

/** A fleet's sensors' identities, by sensor: what each connects with. */
export interface DeviceIdentities {
  /** The sensor's credentials (certificate files read now). */
  credentials(localIndex: number): SensorCredentials;
  /** The name a refusal gives the sensor: its username, or undefined for its client id. */
  username(localIndex: number): string | undefined;
}

/**
 * The identities of `fleet`'s sensors, or undefined when every sensor connects with
 * the broker's. `sensorId(localIndex)` and `globalIndex(localIndex)` name a sensor.
 */
export function deviceIdentitiesFor(
  fleet: FleetSpec,
  scenario: Scenario,
  sensorId: (localIndex: number) => string,
  globalIndex: (localIndex: number) => number,
): DeviceIdentities | undefined {
  const sources = sourcesOf(fleet, scenario);
  if (Object.values(sources).every((source) => source === null)) return undefined;
  const file = sources.file === null ? null : readCredentialsFile(sources.file, "credentials");
  const render = (template: string | null, localIndex: number) =>
    template === null
      ? undefined
      : renderCredential(template, sensorId(localIndex), globalIndex(localIndex), fleet.name);
  const username = (localIndex: number) =>
    file?.get(sensorId(localIndex))?.username ?? render(sources.username, localIndex);
  return {
    username,
    credentials: (localIndex) => {
      const entry = file?.get(sensorId(localIndex));
      const certPath = render(sources.cert, localIndex);
      const keyPath = render(sources.key, localIndex);
      return {
        username: username(localIndex),
        password: entry?.password ?? render(sources.password, localIndex),
        cert: certPath === undefined ? undefined : readUserTextFileSync(certPath),
        key: keyPath === undefined ? undefined : readUserTextFileSync(keyPath),
      };
    },
  };
}

/** How many problems of one kind a line names before it only counts them. */
const NAMED = 3;

/**
 * Everything wrong with the fleets' own identities, before anything connects, one line
 * per kind of problem (with a count and the first few): credentials files that cannot
 * be read or lack a sensor, certificate or key files that cannot be read or parsed,
 * keys that do not belong to their certificate.
 */
export function credentialProblems(scenario: Scenario): string[] {
  const problems: string[] = [];
  const idWidth = idWidthFor(scenario.fleets.reduce((sum, fleet) => sum + fleet.count, 0));
  let start = 0;
  scenario.fleets.forEach((fleet, fleetIndex) => {
    const first = start;
    start += fleet.count;
    const sources = sourcesOf(fleet, scenario);
    const where = `fleets[${fleetIndex}]`;
    const idOf = (local: number) => formatSensorId(first + local, idWidth);
    if (sources.file !== null) {
      problems.push(...fileProblems(sources.file, fleet.count, idOf, where));
    }
    if ((sources.cert === null) !== (sources.key === null)) {
      problems.push(`${where}.tls: a per-device certificate needs a key and a key a certificate`);
    } else if (sources.cert !== null && sources.key !== null) {
      const render = (template: string, local: number) =>
        renderCredential(template, idOf(local), first + local, fleet.name);
      problems.push(
        ...certificateProblems(
          fleet.count,
          (local) => render(sources.cert!, local),
          (local) => render(sources.key!, local),
          where,
        ),
      );
    }
  });
  return problems;
}

function fileProblems(
  path: string,
  count: number,
  idOf: (local: number) => string,
  where: string,
): string[] {
  let file: Map<string, FileCredentials>;
  try {
    file = readCredentialsFile(path, `${where}.credentials`);
  } catch (error) {
    if (error instanceof UsageError) return [error.message];
    throw error;
  }
  const missing: string[] = [];
  for (let local = 0; local < count; local++) if (!file.has(idOf(local))) missing.push(idOf(local));
  return missing.length === 0 ? [] : [
    `${where}.credentials: ${missing.length} of ${count} sensors have no entry in ${
      JSON.stringify(path)
    }: ${listFirst(missing)}`,
  ];
}

function certificateProblems(
  count: number,
  certPath: (local: number) => string,
  keyPath: (local: number) => string,
  where: string,
): string[] {
  const kinds = new Map<string, string[]>();
  const note = (kind: string, item: string) => {
    const items = kinds.get(kind) ?? [];
    items.push(item);
    kinds.set(kind, items);
  };
  for (let local = 0; local < count; local++) {
    const cert = readPem(certPath(local), "cert", note);
    const key = readPem(keyPath(local), "key", note);
    let x509: X509Certificate | undefined;
    try {
      if (cert !== undefined) x509 = new X509Certificate(cert);
    } catch {
      note("cert: files are not valid PEM certificates", certPath(local));
    }
    let privateKey;
    try {
      if (key !== undefined) privateKey = createPrivateKey(key);
    } catch {
      note(
        "key: files are not valid PEM private keys (encrypted keys are not supported)",
        keyPath(local),
      );
    }
    if (x509 !== undefined && privateKey !== undefined && !x509.checkPrivateKey(privateKey)) {
      note("key: keys do not belong to their certificates", keyPath(local));
    }
  }
  return [...kinds].map(([kind, items]) => {
    const [field, problem] = kind.split(/: (.*)/s);
    return `${where}.tls.${field}: ${items.length} of ${count} ${problem}: ${listFirst(items)}`;
  });
}

function readPem(
  path: string,
  field: string,
  note: (kind: string, item: string) => void,
): string | undefined {
  try {
    const text = readUserTextFileSync(path);
    if (text.includes("-----BEGIN ")) return text;
    note(`${field}: files are not PEM files (no "-----BEGIN" line)`, path);
  } catch (error) {
    note(`${field}: files cannot be read`, `${path} (${describeFileError(error)})`);
  }
  return undefined;
}

function listFirst(items: readonly string[]): string {
  const shown = items.slice(0, NAMED).join(", ");
  return items.length > NAMED ? `${shown}, ...` : shown;
}
