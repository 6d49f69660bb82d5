/**
 * The compatibility set, against every broker iotload is tried with: Mosquitto, the
 * embedded broker (aedes) and RabbitMQ's MQTT plugin. Each broker runs the same cases
 * (connect, QoS 0/1/2, retained status with a last will, the probe's shared
 * subscription, an auth failure where the broker checks credentials); what differs is
 * written down per broker. RabbitMQ is required in CI and skipped with a note elsewhere.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import mqtt from "mqtt";
import { startEmbeddedBroker } from "../../lib/broker/embedded_broker.ts";
import type { Summary } from "../../lib/metrics/summary.ts";
import { fleetArgs, parseSummary, uniqueRoot } from "../helpers/fault_fixtures.ts";
import { findRabbitMq, startRabbitMq } from "../helpers/rabbitmq.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";

interface Broker {
  readonly url: string;
  /** Cuts every client off and starts again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The embedded broker's thread, restarted as a new thread on the same port. */
async function startRestartableEmbedded(): Promise<Broker> {
  let current = await startEmbeddedBroker();
  const port = current.port;
  return {
    url: current.url,
    restart: async () => {
      await current.stop();
      current = await startEmbeddedBroker({ port });
    },
    stop: () => current.stop(),
  };
}

async function startRestartableMosquitto(): Promise<Broker> {
  const broker = await startMosquitto();
  return {
    url: broker.url,
    restart: async () => {
      await broker.kill();
      await broker.restart();
    },
    stop: () => broker.stop(),
  };
}

interface BrokerUnderTest {
  readonly name: string;
  readonly start: () => Promise<Broker>;
  /** Flags every run against it needs (the protocol it speaks). */
  readonly flags: readonly string[];
  /** Completes QoS 2 (PUBREC, PUBREL, PUBCOMP); false: answers with PUBACK. */
  readonly qos2: boolean;
  /** Supports shared subscriptions ($share). */
  readonly sharedSubscriptions: boolean;
  /** A user and a wrong password it refuses, when it checks credentials. */
  readonly wrongCredentials?: readonly string[];
  /** Whether the suite may skip it here (not installed, outside CI). */
  readonly available: boolean;
}

const IN_CI = Deno.env.get("CI") === "true";
const HAVE_RABBITMQ = findRabbitMq() !== undefined;
if (IN_CI && !HAVE_RABBITMQ) {
  throw new Error("rabbitmq-server is required in CI (apt-get install -y rabbitmq-server)");
}
if (!HAVE_RABBITMQ) {
  console.error("note: rabbitmq-server not installed; its compatibility set is skipped");
}

const BROKERS: readonly BrokerUnderTest[] = [
  {
    name: "Mosquitto",
    start: startRestartableMosquitto,
    flags: [],
    qos2: true,
    sharedSubscriptions: true,
    available: true,
  },
  {
    name: "the embedded broker (aedes)",
    start: startRestartableEmbedded,
    flags: ["-V", "4"],
    qos2: true,
    sharedSubscriptions: false,
    available: true,
  },
  {
    name: "RabbitMQ's MQTT plugin",
    start: () => startRabbitMq(),
    flags: ["-V", "4"],
    qos2: false,
    sharedSubscriptions: false,
    wrongCredentials: ["-u", "guest", "-P", "not-the-password"],
    available: HAVE_RABBITMQ,
  },
];

async function run(
  broker: Broker,
  target: BrokerUnderTest,
  extra: readonly string[],
): Promise<{ code: number; stderr: string; summary: Summary }> {
  const args = fleetArgs(broker.url, uniqueRoot("compat"), [
    ...target.flags,
    "-c",
    "5",
    "-i",
    "250ms",
    "-d",
    "2s",
    ...extra,
  ]);
  const result = await runCli(args, { timeoutMs: 60_000 });
  return { code: result.code, stderr: result.stderr, summary: parseSummary(result) };
}

for (const target of BROKERS) {
  Deno.test({
    name: `compatibility set against ${target.name}`,
    ignore: !target.available,
    async fn(t) {
      const broker = await target.start();
      try {
        for (const qos of [0, 1] as const) {
          await t.step(`QoS ${qos}: every message delivered, the ledger balanced`, async () => {
            const { code, stderr, summary } = await run(broker, target, ["-q", `${qos}`]);
            assert.equal(code, 0, stderr);
            const m = summary.messages;
            assert.ok(m.sent > 0);
            assert.equal(m.received, m.sent, JSON.stringify(m));
            if (qos === 1) assert.equal(m.acked, m.sent, JSON.stringify(m));
            assert.equal(summary.ledger.balanced, true);
          });
        }
        await t.step(
          target.qos2
            ? "QoS 2: every publish completed"
            : "QoS 2: a PUBACK instead of PUBREC is reported as a protocol violation",
          async () => {
            const { code, stderr, summary } = await run(broker, target, ["-q", "2"]);
            assert.equal(code, 0, stderr);
            const m = summary.messages;
            if (target.qos2) {
              assert.equal(m.acked, m.sent, JSON.stringify(m));
            } else {
              assert.equal(m.acked, 0);
              assert.equal(summary.connections.errors.protocolViolation, m.sent);
            }
          },
        );
        await t.step("restart mid-run: every sensor back, the ledger balanced", async () => {
          // How long a broker takes to come back varies (RabbitMQ takes several seconds
          // on a busy machine), so the run is not given a length that must outlast it:
          // it is stopped (Ctrl-C, drain included) on the first progress line that shows
          // every sensor connected after the broker is back, or ends at `-d` if they
          // never all come back. The first line read after it is back is passed over: it
          // may have been written before the broker went down.
          let outage: Promise<void> | undefined;
          let back = false;
          let linesSinceBack = 0;
          const result = await runCli(
            fleetArgs(broker.url, uniqueRoot("restart"), [
              ...target.flags,
              ...["-c", "10", "-i", "250ms", "-d", "60s", "-q", "1"],
              // A broker coming back may take a connection and answer it only once it is
              // up (RabbitMQ while its MQTT listener restarts): a short connect timeout
              // retries such an attempt within the run instead of waiting 10 s on it.
              ...["--connect-timeout", "2s"],
            ]),
            {
              onStderr: {
                text: "running",
                run: () => void (outage = broker.restart().then(() => void (back = true))),
              },
              onStderrLine: (line, signal) => {
                if (!back || !line.startsWith("running")) return;
                linesSinceBack += 1;
                if (linesSinceBack > 1 && /\bconn 10\b/.test(line)) signal("SIGINT");
              },
              timeoutMs: 120_000,
            },
          );
          await outage;
          assert.equal(result.code, 130, result.stderr);
          const { connections, messages, ledger } = parseSummary(result);
          assert.ok(connections.reconnects >= 10, JSON.stringify(connections));
          assert.equal(connections.connected, 10, JSON.stringify(connections));
          assert.equal(ledger.balanced, true, JSON.stringify({ messages, ledger }));
        });
        await t.step("retained status: the last will and the offline status stay", async () => {
          await checkRetainedStatus(broker, target);
        });
        await t.step(
          target.sharedSubscriptions
            ? "a shared probe subscription delivers"
            : "a shared probe subscription that delivers nothing stops the run with a clear error",
          async () => {
            const { code, stderr, summary } = await run(broker, target, [
              "--probe-connections",
              "2",
            ]);
            if (target.sharedSubscriptions) {
              assert.equal(code, 0, stderr);
              assert.equal(summary.messages.received, summary.messages.sent);
            } else {
              assert.equal(code, 3, stderr);
              assert.match(stderr, /may not support shared subscriptions/);
            }
          },
        );
        if (target.wrongCredentials !== undefined) {
          await t.step("wrong credentials: refused, in words, exit 3", async () => {
            const { code, stderr, summary } = await run(broker, target, target.wrongCredentials!);
            assert.equal(code, 3, stderr);
            const errors = Object.keys(summary.connections.errors);
            assert.ok(
              errors.some((category) => ["badCredentials", "notAuthorized"].includes(category)),
              JSON.stringify(summary.connections.errors),
            );
          });
        }
      } finally {
        await broker.stop();
      }
    },
  });
}

/** A fleet with a retained status: after the run every sensor's status says offline. */
async function checkRetainedStatus(broker: Broker, target: BrokerUnderTest): Promise<void> {
  const root = uniqueRoot("status");
  const dir = await Deno.makeTempDir({ prefix: "iotload-compat-" });
  try {
    const file = join(dir, "status.yaml");
    await Deno.writeTextFile(
      file,
      [
        "fleets:",
        "  - count: 3",
        "    interval: 500ms",
        `    topic: "${root}/{id}/telemetry"`,
        `    clientId: "${root}-{id}"`,
        `    status: { topic: "${root}/{id}/status" }`,
        "run: { duration: 1s }",
      ].join("\n"),
    );
    const result = await runCli(
      ["run", "--url", broker.url, "--scenario", file, "--json", ...target.flags],
      { timeoutMs: 60_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const watcher = await mqtt.connectAsync(broker.url, {
      reconnectPeriod: 0,
      protocolVersion: target.flags.includes("4") ? 4 : 5,
    });
    try {
      const statuses = new Map<string, boolean>();
      watcher.on("message", (topic, payload) => {
        statuses.set(topic, JSON.parse(payload.toString()).online);
      });
      // Exact topics: RabbitMQ sends retained messages to those only, not to wildcards.
      await watcher.subscribeAsync(["0", "1", "2"].map((id) => `${root}/${id}/status`), {
        qos: 1,
      });
      const deadline = performance.now() + 5_000;
      while (statuses.size < 3 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(statuses.size, 3, `retained statuses: ${JSON.stringify([...statuses])}`);
      for (const online of statuses.values()) assert.equal(online, false);
    } finally {
      await watcher.endAsync();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
