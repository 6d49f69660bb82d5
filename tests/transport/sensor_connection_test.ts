import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import { setImmediate } from "node:timers";
import { linkedStreamPair } from "../../lib/broker/aedes_server.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import { DEFAULT_BACKOFF } from "../../lib/transport/backoff.ts";
import { STABLE_CONNECTION_MS } from "../../lib/transport/sensor_connection.ts";
import {
  CONNACK_ACCEPTED,
  CONNACK_V5_SUCCESS,
  connectionTo,
  onPackets,
  packetIdOf,
  runFor,
  settle,
  stop,
  TRANSPORTS,
} from "../helpers/scripted_broker.ts";

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

for (const transport of TRANSPORTS) {
  Deno.test(`SensorConnection keeps backing off when the broker closes right after CONNACK (${transport})`, async () => {
    const clock = new ManualClock();
    const broker = scriptedBroker(() => true);
    const { connection, counts } = connectionTo(broker.openStream, clock, 4, () => {}, transport);
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
}

for (const transport of TRANSPORTS) {
  Deno.test(`SensorConnection starts the backoff afresh after a connection that stayed up (${transport})`, async () => {
    const clock = new ManualClock();
    const broker = scriptedBroker(() => false);
    const { connection, counts } = connectionTo(broker.openStream, clock, 4, () => {}, transport);
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
}

for (const transport of TRANSPORTS) {
  Deno.test(`SensorConnection reports an MQTT 5 PUBACK refusal (0x87) in words, under its category (${transport})`, async () => {
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
    const { connection, failures } = connectionTo(openStream, clock, 5, () => {}, transport);
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
}

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
