/**
 * `iotload certs`: a test CA (kept in its own folder and reused), one client
 * certificate per sensor named `{id}.pem` / `{id}.key` with CN = the sensor's client
 * id, and a server certificate for the test broker.
 *
 * @module
 */
import { join } from "node:path";
import { compileTemplate, formatSensorId, idWidthFor } from "../fleet/template.ts";
import { createCa, issueCertificate, type PemPair } from "../certs/x509_certificates.ts";

/** What to make. */
export interface CertificatePlan {
  /** Folder of the CA (`ca.pem`, `ca.key`): made when missing, reused otherwise. */
  readonly caDir: string;
  /** Folder the device and server certificates go to. */
  readonly outDir: string;
  /** Sensors, one certificate each. */
  readonly sensors: number;
  /** Client id template the certificates' CN follow (as the fleet's `clientId`). */
  readonly clientIdTemplate: string;
  /** The broker's name in its certificate: an IP address or a DNS name. */
  readonly serverName: string;
  /** Days each certificate is valid. */
  readonly days: number;
}

/** What was made. */
export interface CertificateResult {
  /** Whether the CA was made now (false: an existing one was reused). */
  readonly caCreated: boolean;
  /** The CA certificate's path. */
  readonly caCert: string;
  /** The device certificates' file names, as a path template: `DIR/{id}.pem`. */
  readonly certTemplate: string;
  /** The device keys' path template. */
  readonly keyTemplate: string;
  /** The server certificate and key paths. */
  readonly server: { readonly cert: string; readonly key: string };
}

/**
 * Makes (or reuses) the CA and writes every certificate of `plan`; keys are written
 * readable by their owner only. `onProgress(done)` is called every 1,000 devices.
 */
export async function makeCertificates(
  plan: CertificatePlan,
  onProgress: (done: number) => void = () => {},
): Promise<CertificateResult> {
  await Deno.mkdir(plan.caDir, { recursive: true });
  await Deno.mkdir(plan.outDir, { recursive: true });
  const caCertPath = join(plan.caDir, "ca.pem");
  const caKeyPath = join(plan.caDir, "ca.key");
  const existing = await readPair(caCertPath, caKeyPath);
  const ca = existing ?? createCa("iotload test CA", plan.days);
  if (existing === null) await writePair(ca, caCertPath, caKeyPath);
  const idWidth = idWidthFor(plan.sensors);
  const clientId = compileTemplate(plan.clientIdTemplate, "--client-id");
  for (let index = 0; index < plan.sensors; index++) {
    const id = formatSensorId(index, idWidth);
    const pair = issueCertificate(ca, clientId(index, idWidth), "client", plan.days);
    await writePair(pair, join(plan.outDir, `${id}.pem`), join(plan.outDir, `${id}.key`));
    if ((index + 1) % 1_000 === 0) onProgress(index + 1);
  }
  const server = {
    cert: join(plan.outDir, "server.pem"),
    key: join(plan.outDir, "server.key"),
  };
  await writePair(
    issueCertificate(ca, plan.serverName, "server", plan.days),
    server.cert,
    server.key,
  );
  return {
    caCreated: existing === null,
    caCert: caCertPath,
    certTemplate: join(plan.outDir, "{id}.pem"),
    keyTemplate: join(plan.outDir, "{id}.key"),
    server,
  };
}

async function readPair(certPath: string, keyPath: string): Promise<PemPair | null> {
  try {
    return { cert: await Deno.readTextFile(certPath), key: await Deno.readTextFile(keyPath) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function writePair(pair: PemPair, certPath: string, keyPath: string): Promise<void> {
  await Deno.writeTextFile(certPath, pair.cert);
  await Deno.writeTextFile(keyPath, pair.key, { mode: 0o600 });
}
