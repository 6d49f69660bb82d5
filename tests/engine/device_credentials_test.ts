import assert from "node:assert/strict";
import { join } from "node:path";
import { createCa, issueCertificate } from "../../lib/certs/x509_certificates.ts";
import { applyOverrides } from "../../lib/config/apply_overrides.ts";
import { DEFAULT_SCENARIO, type Scenario } from "../../lib/config/scenario.ts";
import { parseScenarioText } from "../../lib/config/scenario_file.ts";
import { credentialProblems, deviceIdentitiesFor } from "../../lib/engine/device_credentials.ts";

const idOf = (index: number) => String(index).padStart(2, "0");

Deno.test("deviceIdentitiesFor() renders each sensor's credentials, the file's entry first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iotload-identities-" });
  try {
    await Deno.writeTextFile(join(dir, "devices.csv"), "id,username,password\n03,special,s3cret\n");
    const scenario = parseScenarioText(
      'fleets: [{ count: 10, username: "dev-{id}", password: "pw-{index}-{fleet}", credentials: devices.csv }]',
      join(dir, "fleet.yaml"),
      {},
    );
    const identities = deviceIdentitiesFor(scenario.fleets[0], scenario, idOf, (index) => index)!;
    assert.deepEqual(identities.credentials(2), {
      username: "dev-02",
      password: "pw-2-fleet-1",
      cert: undefined,
      key: undefined,
    });
    assert.deepEqual(identities.credentials(3), {
      username: "special",
      password: "s3cret",
      cert: undefined,
      key: undefined,
    });
    assert.equal(identities.username(3), "special");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deviceIdentitiesFor() is undefined when every sensor uses the broker's credentials", () => {
  const plain = applyOverrides(DEFAULT_SCENARIO, [{
    source: "flag",
    values: { username: "u", password: "p" },
  }]);
  assert.equal(deviceIdentitiesFor(plain.fleets[0], plain, idOf, (index) => index), undefined);
  const templated = applyOverrides(DEFAULT_SCENARIO, [{
    source: "flag",
    values: { username: "dev-{id}" },
  }]);
  assert.equal(
    deviceIdentitiesFor(templated.fleets[0], templated, idOf, (index) => index)?.username(4),
    "dev-04",
  );
});

Deno.test("credentialProblems() counts and names missing entries and bad certificate files, all at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iotload-identities-" });
  try {
    const ca = createCa("test CA", 30);
    for (let index = 0; index < 6; index++) {
      const pair = issueCertificate(ca, `iotload-${index}`, "client", 30);
      await Deno.writeTextFile(join(dir, `0${index}.pem`), pair.cert);
      await Deno.writeTextFile(join(dir, `0${index}.key`), pair.key);
    }
    await Deno.remove(join(dir, "02.pem"));
    await Deno.writeTextFile(join(dir, "03.pem"), "not a certificate");
    await Deno.copyFile(join(dir, "05.key"), join(dir, "04.key"));
    await Deno.writeTextFile(join(dir, "devices.csv"), "id,username,password\n00,a,b\n");
    const scenario: Scenario = parseScenarioText(
      [
        'broker: { url: "mqtts://127.0.0.1:8883" }',
        "fleets:",
        '  - { count: 6, clientId: "a-{id}", tls: { cert: "0{index}.pem", key: "0{index}.key" } }',
        '  - { count: 3, clientId: "b-{id}", credentials: devices.csv }',
      ].join("\n"),
      join(dir, "fleet.yaml"),
      {},
    );
    assert.deepEqual(credentialProblems(scenario), [
      `fleets[0].tls.cert: 1 of 6 files cannot be read: ${join(dir, "02.pem")} (no such file)`,
      `fleets[0].tls.cert: 1 of 6 files are not PEM files (no "-----BEGIN" line): ${
        join(dir, "03.pem")
      }`,
      `fleets[0].tls.key: 1 of 6 keys do not belong to their certificates: ${join(dir, "04.key")}`,
      `fleets[1].credentials: 3 of 3 sensors have no entry in ${
        JSON.stringify(join(dir, "devices.csv"))
      }: 6, 7, 8`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
