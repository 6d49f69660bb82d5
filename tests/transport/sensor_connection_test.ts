import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import { setImmediate } from "node:timers";
import { linkedStreamPair } from "../../lib/broker/aedes_server.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import { DEFAULT_BACKOFF } from "../../lib/transport/backoff.ts";
import type { BrokerTarget } from "../../lib/transport/client_factory.ts";
import { ConnectGate } from "../../lib/transport/connect_gate.ts";
import type { ConnectionEvents } from "../../lib/transport/connection_types.ts";
import { SensorConnection, STABLE_CONNECTION_MS } from "../../lib/transport/sensor_connection.ts";

/** CONNACK, MQTT 3.1.1 (MQTT-3.2): session present 0, return code 0 (accepted). */
const CONNACK_ACCEPTED = Uint8Array.of(0x20, 0x02, 0x00, 0x00);

/** Lets stream events and MQTT.js's callbacks run: a few turns of the event loop. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A scripted broker over in-memory streams: it answers every CONNECT with CONNACK and,
 * when `closeAfterConnack`, closes the connection at once (a broker that accepts, then
 * drops). Counts the connections opened.
 */
function scriptedBroker(closeAfterConnack: () => boolean) {
  const peers: Duplex[] = [];
  let opened = 0;
  const openStream = () => {
    opened++;
    const [client, broker] = linkedStreamPair();
    peers.push(broker);
    broker.once("data", () => {
      broker.write(CONNACK_ACCEPTED);
      if (closeAfterConnack()) setImmediate(() => broker.destroy());
    });
    return client;
  };
  return { openStream, opened: () => opened, peers };
}

function connectionTo(
  openStream: () => Duplex,
  clock: ManualClock,
  protocolVersion: 4 | 5 = 4,
  onAcked: () => void = () => {},
) {
  const counts = { connected: 0, disconnected: 0, connectFailed: 0 };
  const failures: { count: number; category: string; message?: string }[] = [];
  const events: ConnectionEvents = {
    connected: () => void counts.connected++,
    churned: () => {},
    connectFailed: () => void counts.connectFailed++,
    disconnected: () => void counts.disconnected++,
    acked: onAcked,
    publishFailed: (_index, count, category, message) =>
      failures.push({ count, category, message }),
  };
  const target: BrokerTarget = {
    url: "mqtt://127.0.0.1:1883",
    protocolVersion,
    keepaliveSec: 0,
    cleanStart: true,
    sessionExpirySec: 0,
    tls: { insecure: false },
    openStream,
  };
  const connection = new SensorConnection(0, "sensor-0", {
    target,
    gate: new ConnectGate({ ratePerSec: 1_000, concurrency: 10, clock }),
    clock,
    backoff: DEFAULT_BACKOFF,
    // The middle of each backoff window, so the count is the same on every run.
    random: () => 0.5,
    connectTimeoutMs: 5_000,
    maxInflight: 10,
    events,
  });
  return { connection, counts, failures };
}

/** Stops the connection; the scripted broker never answers DISCONNECT, so it times out. */
async function stop(connection: SensorConnection, clock: ManualClock): Promise<void> {
  const stopped = connection.stop(100);
  clock.advanceMs(100);
  await stopped;
  await settle();
  // MQTT.js closes its message stores on a 0 ms timer of its own: one timer turn.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Moves the clock `totalMs` forward in `stepMs` steps, letting I/O run after each. */
async function runFor(clock: ManualClock, totalMs: number, stepMs = 50): Promise<void> {
  for (let elapsedMs = 0; elapsedMs < totalMs; elapsedMs += stepMs) {
    clock.advanceMs(stepMs);
    await settle();
  }
}

Deno.test("SensorConnection keeps backing off when the broker closes right after CONNACK", async () => {
  const clock = new ManualClock();
  const broker = scriptedBroker(() => true);
  const { connection, counts } = connectionTo(broker.openStream, clock);
  connection.start();
  await settle();
  await runFor(clock, 6_000);
  // Each wait is half a window that doubles per attempt but never exceeds the time since
  // the connection was last healthy: 9 attempts in 6 s. A backoff reset on every CONNACK
  // waited 250 ms each time: 24.
  assert.ok(broker.opened() >= 5 && broker.opened() <= 10, `${broker.opened()} attempts`);
  assert.equal(counts.connected, broker.opened());
  await stop(connection, clock);
});

Deno.test("SensorConnection starts the backoff afresh after a connection that stayed up", async () => {
  const clock = new ManualClock();
  const broker = scriptedBroker(() => false);
  const { connection, counts } = connectionTo(broker.openStream, clock);
  connection.start();
  await settle();
  await runFor(clock, STABLE_CONNECTION_MS + 1_000, 500);
  assert.equal(counts.connected, 1);
  // The broker drops the healthy connection; the reconnect waits half of the first window.
  broker.peers[0].destroy();
  await settle();
  assert.equal(counts.disconnected, 1);
  await runFor(clock, DEFAULT_BACKOFF.baseMs / 2 + 50);
  assert.equal(counts.connected, 2, "back after the first, shortest backoff");
  await stop(connection, clock);
});

/** CONNACK, MQTT 5 (MQTT-3.2): session present 0, reason 0 (success), no properties. */
const CONNACK_V5_SUCCESS = Uint8Array.of(0x20, 0x03, 0x00, 0x00, 0x00);

/**
 * Calls `onPacket` with each whole MQTT packet read from `stream` (MQTT.js writes a
 * packet in several pieces): the fixed header's Remaining Length (MQTT-2.2.3) says
 * where each ends.
 */
function onPackets(stream: Duplex, onPacket: (packet: Uint8Array) => void): void {
  let buffered = new Uint8Array(0);
  stream.on("data", (chunk: Uint8Array) => {
    const joined = new Uint8Array(buffered.length + chunk.length);
    joined.set(buffered);
    joined.set(chunk, buffered.length);
    buffered = joined;
    while (buffered.length >= 2) {
      let length = 0;
      let at = 1;
      let shift = 0;
      while (at < buffered.length) {
        length += (buffered[at] & 0x7f) << shift;
        shift += 7;
        if ((buffered[at++] & 0x80) === 0) break;
      }
      if (buffered.length < at + length) return;
      onPacket(buffered.subarray(0, at + length));
      buffered = buffered.slice(at + length);
    }
  });
}

/** The packet identifier of a QoS 1 PUBLISH (MQTT-3.3.2): after the topic name. */
function packetIdOf(publish: Uint8Array): number {
  let at = 1;
  while (publish[at] & 0x80) at++; // Remaining Length, a variable byte integer.
  at++;
  const topicBytes = (publish[at] << 8) | publish[at + 1];
  at += 2 + topicBytes;
  return (publish[at] << 8) | publish[at + 1];
}

Deno.test("SensorConnection reports an MQTT 5 PUBACK refusal (0x87) in words, under its category", async () => {
  const clock = new ManualClock();
  const openStream = () => {
    const [client, broker] = linkedStreamPair();
    onPackets(broker, (packet) => {
      if (packet[0] >> 4 === 1) broker.write(CONNACK_V5_SUCCESS); // CONNECT
      if (packet[0] >> 4 === 3) {
        // PUBLISH: answer PUBACK with reason 0x87 (not authorized) and no properties.
        const id = packetIdOf(packet);
        broker.write(Uint8Array.of(0x40, 0x04, id >> 8, id & 0xff, 0x87, 0x00));
      }
    });
    return client;
  };
  const { connection, failures } = connectionTo(openStream, clock, 5);
  connection.start();
  await settle();
  assert.ok(connection.isConnected);
  assert.equal(connection.publish("denied/topic", "{}", { qos: 1 }, clock.nowMs()), "sent");
  await settle();
  assert.deepEqual(failures, [
    {
      count: 1,
      category: "notAuthorized",
      message: "publish refused: not authorized (reason 0x87)",
    },
  ]);
  assert.equal(connection.inflightCount, 0);
  await stop(connection, clock);
});

Deno.test("SensorConnection reports a PUBACK to a QoS 2 PUBLISH as a protocol violation, not an ack", async () => {
  const clock = new ManualClock();
  let acked = 0;
  const openStream = () => {
    const [client, broker] = linkedStreamPair();
    onPackets(broker, (packet) => {
      if (packet[0] >> 4 === 1) broker.write(CONNACK_ACCEPTED);
      if (packet[0] >> 4 === 3) {
        // A broker that treats QoS 2 as QoS 1 (MQTT-4.3.3 wants PUBREC).
        const id = packetIdOf(packet);
        broker.write(Uint8Array.of(0x40, 0x02, id >> 8, id & 0xff));
      }
    });
    return client;
  };
  const { connection, failures } = connectionTo(openStream, clock, 4, () => acked++);
  connection.start();
  await settle();
  assert.equal(connection.publish("t/1", "{}", { qos: 2 }, clock.nowMs()), "sent");
  await settle();
  assert.equal(acked, 0);
  assert.deepEqual(failures.map((failure) => failure.category), ["protocolViolation"]);
  assert.match(failures[0].message!, /QoS 2 PUBLISH answered with PUBACK/);
  await stop(connection, clock);
});
