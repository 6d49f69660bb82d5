import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { makeCertificates } from "../../lib/engine/device_certificates.ts";

Deno.test("makeCertificates() writes one pair per sensor named by {id}, reusing the CA", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iotload-certs-" });
  try {
    const plan = {
      caDir: join(dir, "ca"),
      outDir: join(dir, "out"),
      sensors: 12,
      clientIdTemplate: "meter-{id}",
      serverName: "localhost",
      days: 10,
    };
    const first = await makeCertificates(plan);
    assert.equal(first.caCreated, true);
    assert.equal(first.certTemplate, join(dir, "out", "{id}.pem"));
    const caPem = await Deno.readTextFile(join(dir, "ca", "ca.pem"));
    const cert = new X509Certificate(await Deno.readTextFile(join(dir, "out", "07.pem")));
    assert.equal(cert.subject, "CN=meter-07");
    assert.ok(cert.verify(new X509Certificate(caPem).publicKey));
    assert.equal((await Deno.stat(join(dir, "out", "07.key"))).mode! & 0o777, 0o600);
    const again = await makeCertificates({ ...plan, sensors: 2 });
    assert.equal(again.caCreated, false);
    assert.equal(await Deno.readTextFile(join(dir, "ca", "ca.pem")), caPem);
    const server = new X509Certificate(await Deno.readTextFile(join(dir, "out", "server.pem")));
    assert.equal(server.subjectAltName, "DNS:localhost");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
