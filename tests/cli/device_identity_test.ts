/**
 * Per-device identities against a real Mosquitto (started by the test): 50 users in a
 * password file with a `pattern write sensors/%u/telemetry` ACL, and a TLS listener
 * that requires a client certificate and takes its CN as the user name.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createCa, issueCertificate } from "../../lib/certs/x509_certificates.ts";
import { parseSummary } from "../helpers/fault_fixtures.ts";
import { runCli } from "../helpers/run_cli.ts";
import { findMosquitto, startMosquitto } from "../helpers/test_broker.ts";

const IN_CI = Deno.env.get("CI") === "true";
const WITHOUT_MOSQUITTO = findMosquitto() === undefined && !IN_CI;
if (WITHOUT_MOSQUITTO) {
  console.error("note: mosquitto not found; the per-device identity tests are skipped");
}

/** 50 devices as dev-{id} with password pw-{id}, each on its own topic, QoS 1, for 2 s. */
function runDevices(url: string) {
  return runCli([
    "run",
    "--url",
    url,
    ...["-V", "4", "-c", "50", "-i", "500ms", "-d", "2s", "-q", "1", "--json"],
    ...["--topic", "sensors/dev-{id}/telemetry", "--username", "dev-{id}", "--password", "pw-{id}"],
    ...["--probe-username", "probe", "--probe-password", "probe-secret"],
  ]);
}

/** A folder Mosquitto (which drops to its own user) can read, with a password file and an ACL. */
async function brokerFiles(dir: string, passwords: (id: string) => string): Promise<string> {
  const lines = Array.from({ length: 50 }, (_, n) => {
    const id = String(n).padStart(2, "0");
    return `dev-${id}:${passwords(id)}`;
  });
  lines.push("probe:probe-secret");
  await Deno.writeTextFile(join(dir, "passwords"), `${lines.join("\n")}\n`);
  const hashed = await new Deno.Command("mosquitto_passwd", {
    args: ["-U", join(dir, "passwords")],
    stderr: "piped",
  }).output();
  assert.equal(hashed.code, 0, new TextDecoder().decode(hashed.stderr));
  // The probe reads the fleet and writes its marker; each device writes only its own topic.
  await Deno.writeTextFile(
    join(dir, "acl"),
    "user probe\ntopic readwrite #\n\npattern write sensors/%u/telemetry\n",
  );
  for (const name of ["passwords", "acl"]) await Deno.chmod(join(dir, name), 0o644);
  await Deno.chmod(dir, 0o755);
  return `allow_anonymous false\npassword_file ${join(dir, "passwords")}\nacl_file ${
    join(dir, "acl")
  }`;
}

Deno.test({
  name: "per-device usernames: 50 devices each with its own password and topic pattern, no error",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "iotload-devices-" });
    try {
      await using broker = await startMosquitto({
        extraConfig: await brokerFiles(dir, (id) => `pw-${id}`),
      });
      const result = await runDevices(broker.url);
      assert.equal(result.code, 0, result.stderr);
      const summary = parseSummary(result);
      assert.equal(summary.connections.peak, 50);
      assert.deepEqual(summary.connections.errors, {});
      assert.equal(summary.messages.lost, 0);
      assert.equal(summary.messages.received, summary.messages.sent);
      assert.doesNotMatch(result.stdout + result.stderr, /pw-\d\d/, "no password is printed");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a device with a wrong password is refused and named; the others run",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "iotload-devices-" });
    try {
      const config = await brokerFiles(dir, (id) => id === "07" ? "changed" : `pw-${id}`);
      await using broker = await startMosquitto({ extraConfig: config });
      const result = await runDevices(broker.url);
      const summary = parseSummary(result);
      assert.equal(summary.connections.peak, 49);
      assert.equal(summary.connections.failed, 1);
      const refused = Object.entries(summary.connections.failedDevices);
      assert.equal(refused.length, 1, JSON.stringify(refused));
      const [category, count] = refused[0];
      assert.ok(["notAuthorized", "badCredentials"].includes(category), category);
      assert.deepEqual(count, { devices: 1, first: ["dev-07"] });
      assert.equal(summary.errorSamples[0], `${category}: 1 device refused: dev-07`);
      assert.match(result.stdout, /1 device refused: dev-07/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a device publishing outside its pattern: loss on MQTT 3.1.1, a refused publish in words on MQTT 5",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "iotload-devices-" });
    try {
      await using broker = await startMosquitto({
        extraConfig: await brokerFiles(dir, (id) => `pw-${id}`),
      });
      // 49 devices keep to sensors/dev-{id}/telemetry; the 50th (dev-49) writes elsewhere.
      const scenario = join(dir, "fleets.yaml");
      await Deno.writeTextFile(
        scenario,
        [
          `broker: { url: "${broker.url}", username: "dev-{id}", password: "pw-{id}" }`,
          "fleets:",
          '  - { name: own, count: 49, interval: 500ms, qos: 1, topic: "sensors/dev-{id}/telemetry" }',
          '  - name: rogue\n    count: 1\n    interval: 500ms\n    qos: 1\n    clientId: "rogue-{id}"\n    topic: "elsewhere/dev-{id}/telemetry"',
          "run: { duration: 2s }",
          "probe: { username: probe, password: probe-secret }",
        ].join("\n"),
      );
      const v4 = parseSummary(await runCli(["run", "--scenario", scenario, "-V", "4", "--json"]));
      assert.equal(v4.fleets[0].messages.lost, 0);
      assert.ok(v4.fleets[1].messages.sent > 0);
      assert.equal(
        v4.fleets[1].messages.lost,
        v4.fleets[1].messages.sent,
        "3.1.1: the broker drops it silently",
      );
      const v5 = parseSummary(await runCli(["run", "--scenario", scenario, "-V", "5", "--json"]));
      assert.equal(v5.fleets[0].messages.failed, 0);
      assert.equal(
        v5.fleets[1].messages.failed,
        v5.fleets[1].messages.sent,
        "5: every publish refused",
      );
      assert.ok(
        v5.errorSamples.includes("notAuthorized: 1 device refused: dev-49"),
        v5.errorSamples.join("\n"),
      );
      assert.ok(
        v5.errorSamples.includes("notAuthorized: publish refused: not authorized (reason 0x87)"),
        v5.errorSamples.join("\n"),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "per-device client certificates: 20 devices connect as their CN; one from another CA is refused and named",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "iotload-device-certs-" });
    try {
      const made = await runCli([
        "certs",
        "--ca-dir",
        join(dir, "ca"),
        "--sensors",
        "20",
        "--out",
        join(dir, "certs"),
      ]);
      assert.equal(made.code, 0, made.stderr);
      // Device 07 gets a certificate of another CA.
      const stranger = createCa("another CA", 30);
      const foreign = issueCertificate(stranger, "iotload-07", "client", 30);
      await Deno.writeTextFile(join(dir, "certs", "07.pem"), foreign.cert);
      await Deno.writeTextFile(join(dir, "certs", "07.key"), foreign.key);
      const ca = {
        cert: await Deno.readTextFile(join(dir, "ca", "ca.pem")),
        key: await Deno.readTextFile(join(dir, "ca", "ca.key")),
      };
      const probe = issueCertificate(ca, "probe", "client", 30);
      await Deno.writeTextFile(join(dir, "probe.pem"), probe.cert);
      await Deno.writeTextFile(join(dir, "probe.key"), probe.key);
      for await (const entry of Deno.readDir(dir)) {
        await Deno.chmod(join(dir, entry.name), entry.isDirectory ? 0o755 : 0o644);
      }
      for (const sub of ["ca", "certs"]) {
        for await (const entry of Deno.readDir(join(dir, sub))) {
          await Deno.chmod(join(dir, sub, entry.name), 0o644);
        }
      }
      await Deno.chmod(dir, 0o755);
      await using broker = await startMosquitto({
        extraConfig: [
          `cafile ${join(dir, "ca", "ca.pem")}`,
          `certfile ${join(dir, "certs", "server.pem")}`,
          `keyfile ${join(dir, "certs", "server.key")}`,
          "require_certificate true",
          "use_identity_as_username true",
        ].join("\n"),
      });
      const result = await runCli([
        "run",
        "--url",
        broker.url.replace(/^mqtt:/, "mqtts:"),
        "-V",
        "4",
        "-c",
        "20",
        "-i",
        "500ms",
        "-d",
        "2s",
        "--json",
        "--ca",
        join(dir, "ca", "ca.pem"),
        "--cert",
        join(dir, "certs", "{id}.pem"),
        "--key",
        join(dir, "certs", "{id}.key"),
        "--probe-cert",
        join(dir, "probe.pem"),
        "--probe-key",
        join(dir, "probe.key"),
      ]);
      const summary = parseSummary(result);
      assert.equal(summary.connections.peak, 19, result.stderr);
      assert.equal(summary.messages.lost, 0);
      const named = Object.values(summary.connections.failedDevices).flatMap((count) =>
        count.first
      );
      assert.deepEqual(named, ["iotload-07"]);
      assert.ok(
        summary.errorSamples.some((sample) =>
          /1 device (refused|failed to connect): iotload-07$/.test(sample)
        ),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
