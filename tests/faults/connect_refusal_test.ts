import assert from "node:assert/strict";
import { startEmbeddedBroker } from "../../lib/broker/embedded_broker.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";
import { startUntouchedMosquitto } from "../helpers/untouched_mosquitto.ts";
import {
  fleetArgs,
  parseSummary,
  startSilentListener,
  uniqueRoot,
} from "../helpers/fault_fixtures.ts";

Deno.test("iotload run exits 3 naming the missing CONNACK when the broker accepts TCP and never answers", async (t) => {
  await using listener = startSilentListener();
  const url = `mqtt://127.0.0.1:${listener.port}`;
  const args = ["run", "--url", url, "-c", "5", "--connect-timeout", "2s"];
  const urlPattern = `mqtt://127\\.0\\.0\\.1:${listener.port}`;
  for (
    const [name, extra] of [
      ["with the probe (it connects first)", []],
      ["without the probe (the sensors connect)", ["--no-probe"]],
    ] as const
  ) {
    await t.step(name, async () => {
      const started = performance.now();
      const result = await runCli([...args, ...extra], { timeoutMs: 40_000 });
      const elapsedMs = performance.now() - started;
      assert.equal(result.code, 3, result.stderr);
      assert.ok(elapsedMs < 30_000, `exited within 30 s: ${Math.round(elapsedMs)} ms`);
      assert.match(
        result.stderr,
        new RegExp(
          `^error: cannot connect to ${urlPattern}: .*(no CONNACK|timed out|timeout)`,
          "im",
        ),
      );
      assert.match(result.stderr, /^hint: .*--connect-timeout/m);
    });
  }
  assert.ok(listener.accepted > 0, "the runs did reach the listener");
});

Deno.test("iotload run says within about 3 s that nothing listens, and the summary names the cause", async () => {
  // A port nobody listens on: every connection is refused at once.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const started = performance.now();
  const result = await runCli(
    fleetArgs(`mqtt://127.0.0.1:${port}`, uniqueRoot("refused"), ["-c", "5"]),
  );
  const elapsedMs = performance.now() - started;
  assert.equal(result.code, 3, result.stderr);
  assert.ok(elapsedMs < 8_000, `exited ${Math.round(elapsedMs)} ms after the start`);
  assert.match(result.stderr, /^error: cannot connect to .*: .*refused/im);
  const summary = parseSummary(result);
  assert.ok(
    (summary.connections.errors.connectRefused ?? 0) >= 1,
    JSON.stringify(summary.connections),
  );
  assert.ok(
    summary.errorSamples.some((sample) => sample.includes("probe")),
    JSON.stringify(summary.errorSamples),
  );
  assert.equal(summary.ledger.balanced, null, "no probe, no ledger to balance");
});

async function writePasswordFile(dir: string, user: string, password: string): Promise<string> {
  const path = `${dir}/passwords`;
  const output = await new Deno.Command("mosquitto_passwd", {
    args: ["-b", "-c", path, user, password],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  // Started as root, Mosquitto reads the file after dropping to its own user.
  await Deno.chmod(dir, 0o755);
  await Deno.chmod(path, 0o644);
  return path;
}

Deno.test("iotload run exits 3 with 'not authorized' on a wrong password (v3.1.1 and v5) and runs with the right one", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "iotload-auth-" });
  try {
    const passwordFile = await writePasswordFile(dir, "user", "secret");
    await using broker = await startMosquitto({
      extraConfig: `allow_anonymous false\npassword_file ${passwordFile}`,
    });
    const root = uniqueRoot("auth");
    const base = (version: string, password: string, extra: readonly string[] = []) =>
      fleetArgs(broker.url, root, [
        "-c",
        "3",
        "-i",
        "200ms",
        "-d",
        "1s",
        "-V",
        version,
        "--username",
        "user",
        "--password",
        password,
        ...extra,
      ]);
    // Mosquitto 2.0 answers a failed password check with "not authorized" in both
    // protocol versions: CONNACK return code 0x05 (3.1.1) and reason code 0x87 (5).
    for (
      const { version, code, extra, label } of [
        { version: "4", code: "0x05", extra: [], label: "the probe" },
        { version: "4", code: "0x05", extra: ["--no-probe"], label: "the sensors" },
        { version: "5", code: "0x87", extra: [], label: "the probe" },
        { version: "5", code: "0x87", extra: ["--no-probe"], label: "the sensors" },
      ]
    ) {
      await t.step(`protocol ${version}: ${label} refused with a wrong password`, async () => {
        const result = await runCli(base(version, "wrong", extra), { timeoutMs: 30_000 });
        assert.equal(result.code, 3, result.stderr);
        assert.match(
          result.stderr,
          new RegExp(`^error: cannot connect to .*: not authorized \\(reason ${code}\\)`, "m"),
        );
        assert.match(result.stderr, /^hint: .*--username\/--password/m);
        assert.ok(!`${result.stdout}${result.stderr}`.includes("wrong"), "no password in output");
      });
    }
    for (const version of ["4", "5"]) {
      await t.step(`protocol ${version} accepted with the right password`, async () => {
        const result = await runCli(base(version, "secret"), { timeoutMs: 30_000 });
        assert.equal(result.code, 0, result.stderr);
        const summary = parseSummary(result);
        assert.equal(summary.connections.peak, 3);
        assert.ok(summary.messages.sent > 0);
        assert.ok(!`${result.stdout}${result.stderr}`.includes("secret"), "no password in output");
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const LIMIT = 20;
const FLEET = 30;

function partialFleetArgs(url: string, extra: readonly string[] = []): string[] {
  return fleetArgs(url, uniqueRoot("partial"), [
    "-c",
    `${FLEET}`,
    "-i",
    "500ms",
    "-d",
    "3s",
    // The probe would take one of the broker's connections.
    "--no-probe",
    ...extra,
  ]);
}

// A fresh broker per run, untouched by a readiness probe: Mosquitto 2.0.11 miscounts
// a listener's clients once some have left (see untouched_mosquitto.ts), which lets
// later clients past max_connections.
const limitConfig = `max_connections ${LIMIT}`;

Deno.test("iotload run holds the connections a max_connections broker allows and counts the refused", async () => {
  await using broker = await startUntouchedMosquitto(limitConfig);
  const result = await runCli(partialFleetArgs(broker.url), { timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  const { connections, messages } = parseSummary(result);
  const figures = JSON.stringify(connections);
  assert.equal(connections.peak, LIMIT, figures);
  assert.equal(connections.failed, FLEET - LIMIT, figures);
  assert.equal(connections.notAttempted, 0, figures);
  // The refused sensors keep their schedule: their readings are due and dropped offline.
  assert.ok(messages.offlineDropped > 0, JSON.stringify(messages));
  assert.equal(
    messages.scheduled,
    messages.sent + messages.backpressured + messages.offlineDropped,
    JSON.stringify(messages),
  );
  assert.equal(connections.disconnects, 0, figures);
  assert.ok(connections.attemptsFailed >= FLEET - LIMIT, figures);
  // Mosquitto accepts the TCP connection and closes it at once, before any CONNACK:
  // every such attempt is a refused connect, and no established connection was lost.
  assert.deepEqual(
    connections.errors,
    { connectRefused: connections.attemptsFailed },
    `each refused attempt counted once, as connectRefused: ${figures}`,
  );
});

Deno.test("iotload run exits 1 when connections.failed<1% fails against a max_connections broker", async () => {
  await using broker = await startUntouchedMosquitto(limitConfig);
  const result = await runCli(
    partialFleetArgs(broker.url, ["--threshold", "connections.failed<1%"]),
    { timeoutMs: 30_000 },
  );
  assert.equal(result.code, 1, result.stderr);
  const summary = parseSummary(result);
  assert.equal(summary.connections.failed, FLEET - LIMIT);
  assert.deepEqual(summary.thresholds, [
    {
      expression: "connections.failed<1%",
      actual: ((FLEET - LIMIT) / FLEET) * 100,
      ok: false,
    },
  ]);
});

Deno.test("iotload run suggests -V 4 when an MQTT 3.1.1 broker refuses its MQTT 5 CONNECT", async () => {
  // aedes (the embedded broker) speaks MQTT 3.1.1 only and says so in its CONNACK.
  const broker = await startEmbeddedBroker();
  try {
    const result = await runCli(fleetArgs(broker.url, uniqueRoot("v5"), ["-c", "3"]));
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr,
      /^error: cannot connect to .*: unacceptable protocol version/m,
    );
    assert.match(result.stderr, /^hint: the broker does not speak MQTT 5: run with -V 4/m);
    assert.equal(parseSummary(result).connections.errors.protocolUnsupported, 1);
  } finally {
    await broker.stop();
  }
});
