import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { createCa, issueCertificate } from "../../lib/certs/x509_certificates.ts";

Deno.test("createCa() and issueCertificate() write X.509 that verifies against the CA", () => {
  const ca = createCa("iotload test CA", 30);
  const caCert = new X509Certificate(ca.cert);
  assert.equal(caCert.ca, true);
  assert.equal(caCert.subject, "CN=iotload test CA");
  assert.ok(caCert.verify(caCert.publicKey), "self-signed");
  const device = issueCertificate(ca, "iotload-0042", "client", 30);
  const deviceCert = new X509Certificate(device.cert);
  assert.equal(deviceCert.ca, false);
  assert.equal(deviceCert.subject, "CN=iotload-0042");
  assert.equal(deviceCert.issuer, "CN=iotload test CA");
  assert.ok(deviceCert.verify(caCert.publicKey));
  assert.ok(deviceCert.checkPrivateKey(createPrivateKey(device.key)));
  const server = new X509Certificate(issueCertificate(ca, "127.0.0.1", "server", 30).cert);
  assert.equal(server.subjectAltName, "IP Address:127.0.0.1");
  assert.ok(server.checkIP("127.0.0.1") !== undefined);
  const other = new X509Certificate(createCa("another CA", 30).cert);
  assert.equal(deviceCert.verify(other.publicKey), false);
});
