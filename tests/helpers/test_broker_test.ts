import assert from "node:assert/strict";
import mqtt from "mqtt";
import { startEmbeddedBroker } from "../../lib/broker/embedded_broker.ts";
import { findMosquitto, startMosquitto, startTestBroker } from "./test_broker.ts";

const MESSAGE_TIMEOUT_MS = 5_000;
// Without mosquitto a developer still runs every other test (on the embedded
// broker); in CI its absence must fail, so these tests run there regardless.
const WITHOUT_MOSQUITTO = findMosquitto() === undefined && Deno.env.get("CI") !== "true";
/** How long a paused broker is watched for (wrongly) delivering anything (ms). */
const PAUSED_WATCH_MS = 300;

/** Resolves with `promise`, or rejects naming `what` after `timeoutMs`. */
async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function nextPayload(client: mqtt.MqttClient): Promise<string> {
  return new Promise((resolve) => {
    client.once("message", (_topic, payload) => resolve(String(payload)));
  });
}

function closed(client: mqtt.MqttClient): Promise<void> {
  return new Promise((resolve) => client.once("close", () => resolve()));
}

function uniqueTopic(name: string): string {
  return `iotload-test/${crypto.randomUUID()}/${name}`;
}

/** Subscribes, publishes one QoS 1 message and asserts it arrives. */
async function assertRoundTrip(url: string): Promise<void> {
  const topic = uniqueTopic("round-trip");
  const subscriber = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  try {
    await subscriber.subscribeAsync(topic, { qos: 1 });
    const received = nextPayload(subscriber);
    const publisher = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    try {
      await publisher.publishAsync(topic, "ping", { qos: 1 });
    } finally {
      await publisher.endAsync();
    }
    assert.equal(
      await withTimeout(received, MESSAGE_TIMEOUT_MS, "delivery"),
      "ping",
    );
  } finally {
    await subscriber.endAsync();
  }
}

Deno.test({
  name: "startMosquitto() serves an MQTT publish/subscribe round trip",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    await using broker = await startMosquitto();
    assert.equal(broker.kind, "mosquitto");
    assert.equal(broker.host, "127.0.0.1");
    assert.equal(broker.url, `mqtt://127.0.0.1:${broker.port}`);
    assert.ok(broker.pid > 0);
    await assertRoundTrip(broker.url);
  },
});

Deno.test({
  name: "startMosquitto() pause() holds delivery until resume()",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    await using broker = await startMosquitto();
    const topic = uniqueTopic("paused");
    const subscriber = await mqtt.connectAsync(broker.url, {
      reconnectPeriod: 0,
    });
    const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    try {
      await subscriber.subscribeAsync(topic, { qos: 0 });
      let paused = false;
      let deliveredWhilePaused = false;
      const received = nextPayload(subscriber).then((payload) => {
        deliveredWhilePaused = paused;
        return payload;
      });
      paused = true;
      broker.pause();
      try {
        publisher.publish(topic, "held", { qos: 0 });
        await new Promise((resolve) => setTimeout(resolve, PAUSED_WATCH_MS));
      } finally {
        paused = false;
        broker.resume();
      }
      assert.equal(
        await withTimeout(received, MESSAGE_TIMEOUT_MS, "delivery after resume"),
        "held",
      );
      assert.equal(deliveredWhilePaused, false);
    } finally {
      await publisher.endAsync();
      await subscriber.endAsync();
    }
  },
});

Deno.test({
  name: "startMosquitto() kill() then restart() serves again on the same port",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    await using broker = await startMosquitto();
    const { port, pid: firstPid } = broker;
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    try {
      const clientClosed = closed(client);
      await broker.kill();
      await withTimeout(clientClosed, MESSAGE_TIMEOUT_MS, "client close");
      await assert.rejects(
        Deno.connect({ hostname: "127.0.0.1", port }),
        Deno.errors.ConnectionRefused,
      );
    } finally {
      await client.endAsync(true);
    }
    await broker.restart();
    assert.equal(broker.port, port);
    assert.notEqual(broker.pid, firstPid);
    await assertRoundTrip(broker.url);
  },
});

Deno.test({
  name: "startMosquitto() stop() is idempotent and frees the port",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    const broker = await startMosquitto();
    await broker.stop();
    await broker.stop();
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port: broker.port }),
      Deno.errors.ConnectionRefused,
    );
    await assert.rejects(broker.restart(), /was stopped/);
  },
});

Deno.test({
  name: "startMosquitto() rejects with mosquitto's stderr when the config is bad",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    await assert.rejects(
      startMosquitto({ extraConfig: "no_such_option true" }),
      /exited with code \d+ before listening on 127\.0\.0\.1:\d+; stderr: .*no_such_option/s,
    );
  },
});

Deno.test({
  name: "startMosquitto() rejects when the port is already in use",
  ignore: WITHOUT_MOSQUITTO,
  fn: async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    await assert.rejects(
      startMosquitto({ port: listener.addr.port }),
      new RegExp(`127\\.0\\.0\\.1:${listener.addr.port} is already in use`),
    );
  },
});

Deno.test("startTestBroker() starts a broker that serves a round trip", async () => {
  await using broker = await startTestBroker();
  assert.match(broker.url, /^mqtts?:\/\//);
  assert.ok(broker.port > 0);
  await assertRoundTrip(broker.url);
});

Deno.test("startTestBroker() uses IOTLOAD_TEST_URL as an external broker", async () => {
  const target = await startEmbeddedBroker();
  const previousUrl = Deno.env.get("IOTLOAD_TEST_URL");
  Deno.env.set("IOTLOAD_TEST_URL", target.url);
  try {
    await using broker = await startTestBroker();
    assert.equal(broker.kind, "external");
    assert.equal(broker.url, target.url);
    assert.equal(broker.host, "127.0.0.1");
    assert.equal(broker.port, target.port);
    await broker.stop();
    await assertRoundTrip(broker.url);
  } finally {
    if (previousUrl === undefined) Deno.env.delete("IOTLOAD_TEST_URL");
    else Deno.env.set("IOTLOAD_TEST_URL", previousUrl);
    await target.stop();
  }
});
