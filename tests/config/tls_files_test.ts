import assert from "node:assert/strict";
import { DEFAULT_SCENARIO } from "../../lib/config/scenario.ts";
import { loadTlsFiles } from "../../lib/config/tls_files.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

/** Makes a self-signed certificate and its key with openssl, in `dir`, named `name`. */
async function makeCertificate(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = `${dir}/${name}.pem`;
  const key = `${dir}/${name}.key`;
  const output = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      key,
      "-out",
      cert,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  return { cert, key };
}

const HAVE_OPENSSL = await new Deno.Command("openssl", {
  args: ["version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((output) => output.success, () => false);
if (!HAVE_OPENSSL && Deno.env.get("CI") === "true") {
  throw new Error("openssl is required in CI for the TLS file tests (apt-get install -y openssl)");
}

async function problemsOf(
  paths: { caPath?: string; certPath?: string; keyPath?: string },
): Promise<string[]> {
  try {
    await loadTlsFiles({ ...DEFAULT_SCENARIO, url: "mqtts://127.0.0.1:8883", ...paths });
  } catch (error) {
    assert.ok(error instanceof UsageError);
    return error.message.split("\n");
  }
  return [];
}

Deno.test({
  name:
    "loadTlsFiles() checks before connecting that the files parse and the key belongs to the certificate",
  ignore: !HAVE_OPENSSL,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "iotload-tls-" });
    try {
      const a = await makeCertificate(dir, "a");
      const b = await makeCertificate(dir, "b");
      assert.deepEqual(await problemsOf({ caPath: a.cert, certPath: a.cert, keyPath: a.key }), []);
      assert.deepEqual(await problemsOf({ certPath: a.cert, keyPath: b.key }), [
        `--key: ${JSON.stringify(b.key)} does not belong to the certificate in ${
          JSON.stringify(a.cert)
        }`,
      ]);
      const broken = `${dir}/broken.pem`;
      await Deno.writeTextFile(
        broken,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      );
      const problems = await problemsOf({ caPath: broken, certPath: a.cert, keyPath: broken });
      assert.deepEqual(problems, [
        `--ca: ${JSON.stringify(broken)} does not hold a valid PEM certificate`,
        `--key: ${
          JSON.stringify(broken)
        } does not hold a valid PEM private key (encrypted keys are not supported)`,
      ]);
      for (const problem of problems) assert.ok(!problem.includes("AAAA"), "never the contents");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
