/**
 * Test certificates for `iotload certs`: a CA and per-device client certificates (and a
 * server certificate for a test broker), ECDSA P-256 with SHA-256, written as X.509 with
 * node:crypto alone, so no `openssl` process is needed.
 *
 * @module
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from "node:crypto";
import { isIP } from "node:net";
import {
  bits,
  boolean,
  type Der,
  explicit,
  implicit,
  integer,
  namedBits,
  octets,
  oid,
  sequence,
  set,
  smallInteger,
  utcTime,
  utf8,
} from "./der.ts";

/** A certificate and its private key, both PEM. */
export interface PemPair {
  /** The certificate. */
  readonly cert: string;
  /** The private key (PKCS #8), a secret. */
  readonly key: string;
}

/** What a certificate is for. */
export type CertificateRole = "ca" | "client" | "server";

const ECDSA_WITH_SHA256 = sequence(oid("1.2.840.10045.4.3.2"));
const COMMON_NAME = "2.5.4.3";
const DAY_MS = 86_400_000;

/** A CA certificate named `name`, valid for `days` (self-signed). */
export function createCa(name: string, days: number, now = new Date()): PemPair {
  const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return issue(name, "ca", keys.publicKey, { name, key: keys.privateKey }, days, now);
}

/**
 * A certificate for `commonName` signed by `ca`: a device's client certificate (CN =
 * its client id, which brokers such as Mosquitto can take as the user name) or a test
 * broker's server certificate (the name also as subject alternative name: an IP
 * address or a DNS name).
 */
export function issueCertificate(
  ca: PemPair,
  commonName: string,
  role: "client" | "server",
  days: number,
  now = new Date(),
): PemPair {
  const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const caKey = createPrivateKey(ca.key);
  const caName = readCommonName(ca.cert);
  return issue(
    commonName,
    role,
    keys.publicKey,
    { name: caName, key: caKey },
    days,
    now,
    keys.privateKey,
  );
}

function issue(
  commonName: string,
  role: CertificateRole,
  publicKey: KeyObject,
  issuer: { name: string; key: KeyObject },
  days: number,
  now: Date,
  privateKey?: KeyObject,
): PemPair {
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const issuerSpki = new Uint8Array(
    createPublicKey(issuer.key).export({ type: "spki", format: "der" }),
  );
  const serial = new Uint8Array(randomBytes(16));
  serial[0] &= 0x7f;
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    integer(serial),
    ECDSA_WITH_SHA256,
    nameOf(issuer.name),
    sequence(
      utcTime(new Date(now.getTime() - DAY_MS)),
      utcTime(new Date(now.getTime() + days * DAY_MS)),
    ),
    nameOf(commonName),
    spki,
    explicit(3, sequence(...extensionsFor(role, commonName, spki, issuerSpki))),
  );
  const signature = new Uint8Array(sign("sha256", tbs, issuer.key));
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, bits(signature));
  const key = (privateKey ?? issuer.key).export({ type: "pkcs8", format: "pem" }) as string;
  return { cert: toPem("CERTIFICATE", certificate), key };
}

function extensionsFor(role: CertificateRole, name: string, spki: Der, issuerSpki: Der): Der[] {
  const extension = (id: string, critical: boolean, value: Der) =>
    sequence(oid(id), ...(critical ? [boolean(true)] : []), octets(value));
  const keyId = (der: Der) => keyIdentifier(der);
  const list = [
    // Subject and authority key identifiers (RFC 5280 4.2.1.1-2) help chain building.
    extension("2.5.29.14", false, octets(keyId(spki))),
    extension("2.5.29.35", false, sequence(implicit(0, keyId(issuerSpki)))),
  ];
  if (role === "ca") {
    list.push(
      extension("2.5.29.19", true, sequence(boolean(true))),
      // keyCertSign (5) and cRLSign (6), plus digitalSignature (0).
      extension("2.5.29.15", true, namedBits([0, 5, 6])),
    );
    return list;
  }
  list.push(
    extension("2.5.29.19", true, sequence()),
    extension("2.5.29.15", true, namedBits([0])),
    // serverAuth or clientAuth (RFC 5280 4.2.1.12).
    extension(
      "2.5.29.37",
      false,
      sequence(oid(role === "server" ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")),
    ),
  );
  if (role === "server") {
    const address = isIP(name) === 4 ? new Uint8Array(name.split(".").map(Number)) : null;
    const altName = address === null
      ? implicit(2, new TextEncoder().encode(name))
      : implicit(7, address);
    list.push(extension("2.5.29.17", false, sequence(altName)));
  }
  return list;
}

/** SHA-1 of the subject public key's bits: the usual key identifier (RFC 5280 4.2.1.2). */
function keyIdentifier(spki: Der): Uint8Array {
  // The SubjectPublicKeyInfo ends with the key's BIT STRING; hash its bytes after the
  // unused-bits octet. For P-256 the uncompressed point is the last 65 bytes.
  return new Uint8Array(createHash("sha1").update(spki.subarray(spki.length - 65)).digest());
}

function nameOf(commonName: string): Der {
  return sequence(set(sequence(oid(COMMON_NAME), utf8(commonName))));
}

function readCommonName(certPem: string): string {
  const subject = new X509Certificate(certPem).subject;
  return /^CN=(.*)$/m.exec(subject)?.[1] ?? subject;
}

function toPem(label: string, der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const base64 = btoa(binary).replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}
