/**
 * The protocol rules both sensor clients (MQTT.js and the lean one) must keep, against
 * scripted brokers over in-memory streams: PUBACKs matched by packet id in any order, a
 * broker DISCONNECT's reason, a broker closing mid-packet, packets split across reads,
 * and (lean) the broker's maximum packet size; then keepalive against a real broker.
 *
 * @module
 */
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import mqttPacket from "mqtt-packet";
import { linkedStreamPair } from "../../lib/broker/aedes_server.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import {
  CONNACK_ACCEPTED,
  CONNACK_V5_SUCCESS,
  connectionTo,
  onPackets,
  packetIdOf,
  settle,
  stop,
  TRANSPORTS,
} from "../helpers/scripted_broker.ts";
import { parseSummary } from "../helpers/fault_fixtures.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startTestBroker } from "../helpers/test_broker.ts";

for (const transport of TRANSPORTS) {
  Deno.test(`${transport}: PUBACKs are matched by packet id, in whatever order they come (MQTT-4.6)`, async () => {
    const clock = new ManualClock();
    let acked = 0;
    const openStream = () => {
      const [client, broker] = linkedStreamPair();
      const ids: number[] = [];
      onPackets(broker, (packet) => {
        if (packet[0] >> 4 === 1) broker.write(CONNACK_ACCEPTED);
        if (packet[0] >> 4 !== 3) return;
        ids.push(packetIdOf(packet));
        // After the third PUBLISH, acknowledge all three, the last first.
        if (ids.length === 3) {
          for (const id of ids.reverse()) {
            broker.write(Uint8Array.of(0x40, 0x02, id >> 8, id & 0xff));
          }
        }
      });
      return client;
    };
    const { connection, failures } = connectionTo(openStream, clock, 4, () => acked++, transport);
    connection.start();
    await settle();
    for (let n = 0; n < 3; n++) {
      assert.equal(connection.publish(`t/${n}`, "{}", { qos: 1 }, clock.nowMs()), "sent");
    }
    await settle();
    assert.equal(acked, 3);
    assert.deepEqual(failures, []);
    assert.equal(connection.inflightCount, 0);
    await stop(connection, clock);
  });

  Deno.test(`${transport}: a broker's DISCONNECT gives its reason (MQTT-3.14.2.1, 0x8E)`, async () => {
    const clock = new ManualClock();
    const disconnects: string[] = [];
    const openStream = () => {
      const [client, broker] = linkedStreamPair();
      onPackets(broker, (packet) => {
        if (packet[0] >> 4 !== 1) return;
        broker.write(CONNACK_V5_SUCCESS);
        // DISCONNECT, reason 0x8E (session taken over), no properties; then, as the
        // sender must (MQTT-3.14.4-1), the broker closes the connection.
        setImmediate(() => {
          broker.write(Uint8Array.of(0xe0, 0x02, 0x8e, 0x00));
          setImmediate(() => broker.destroy());
        });
      });
      return client;
    };
    const { connection, counts } = connectionTo(openStream, clock, 5, () => {}, transport, {
      disconnected: (_index, error) => disconnects.push(`${error.category}: ${error.message}`),
    });
    connection.start();
    for (let turn = 0; turn < 10 && disconnects.length === 0; turn++) await settle();
    assert.equal(counts.connected, 1);
    assert.deepEqual(disconnects, ["sessionTakenOver: session taken over (reason 0x8e)"]);
    await stop(connection, clock);
  });

  Deno.test(`${transport}: a broker that closes in the middle of its CONNACK is a failed attempt`, async () => {
    const clock = new ManualClock();
    const openStream = () => {
      const [client, broker] = linkedStreamPair();
      broker.once("data", () => {
        broker.write(CONNACK_ACCEPTED.subarray(0, 2));
        setImmediate(() => broker.destroy());
      });
      return client;
    };
    const { connection, counts } = connectionTo(openStream, clock, 4, () => {}, transport);
    connection.start();
    await settle();
    assert.equal(counts.connected, 0);
    assert.equal(counts.connectFailed, 1);
    await stop(connection, clock);
  });

  Deno.test(`${transport}: a CONNACK and a PUBACK split into single bytes are read whole`, async () => {
    const clock = new ManualClock();
    let acked = 0;
    const dribble = async (write: (bytes: Uint8Array) => void, bytes: Uint8Array) => {
      for (const byte of bytes) {
        write(Uint8Array.of(byte));
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const openStream = () => {
      const [client, broker] = linkedStreamPair();
      const write = (bytes: Uint8Array) => broker.write(bytes);
      onPackets(broker, (packet) => {
        if (packet[0] >> 4 === 1) void dribble(write, CONNACK_ACCEPTED);
        if (packet[0] >> 4 === 3) {
          const id = packetIdOf(packet);
          void dribble(write, Uint8Array.of(0x40, 0x02, id >> 8, id & 0xff));
        }
      });
      return client;
    };
    const { connection, counts } = connectionTo(openStream, clock, 4, () => acked++, transport);
    connection.start();
    for (let turn = 0; turn < 4; turn++) await settle();
    assert.equal(counts.connected, 1);
    connection.publish("t/1", "{}", { qos: 1 }, clock.nowMs());
    for (let turn = 0; turn < 4; turn++) await settle();
    assert.equal(acked, 1);
    await stop(connection, clock);
  });

  Deno.test(`${transport}: a CONNACK and PUBACKs in one read, and a Remaining Length split across reads, are each read whole`, async () => {
    const clock = new ManualClock();
    let acked = 0;
    // A PUBACK (MQTT 5) with reason code 0x10 (no matching subscribers) and a reason
    // string of 124 bytes: 131 bytes after its fixed header, a two-byte Remaining Length
    // (MQTT-1.5.5: 0x83 0x01).
    const reason = new TextEncoder().encode("x".repeat(124));
    const longPuback = (id: number) =>
      new Uint8Array([0x40, 0x83, 0x01, id >> 8, id & 0xff, 0x10, 127, 0x1f, 0x00, 124, ...reason]);
    const openStream = () => {
      const [client, broker] = linkedStreamPair();
      const ids: number[] = [];
      onPackets(broker, (packet) => {
        if (packet[0] >> 4 !== 3) return;
        ids.push(packetIdOf(packet));
        if (ids.length < 3) return;
        // Two short PUBACKs in one read, then the long one cut after its first length byte.
        const [first, second] = ids.map((id) => Uint8Array.of(0x40, 0x02, id >> 8, id & 0xff));
        broker.write(new Uint8Array([...first, ...second]));
        const long = longPuback(ids[2]);
        broker.write(long.subarray(0, 2));
        setImmediate(() => broker.write(long.subarray(2)));
      });
      // The CONNACK arrives in one read with nothing before it.
      broker.once("data", () => broker.write(CONNACK_V5_SUCCESS));
      return client;
    };
    const { connection, counts, failures } = connectionTo(
      openStream,
      clock,
      5,
      () => acked++,
      transport,
    );
    connection.start();
    await settle();
    assert.equal(counts.connected, 1);
    for (let n = 0; n < 3; n++) connection.publish(`t/${n}`, "{}", { qos: 1 }, clock.nowMs());
    for (let turn = 0; turn < 4; turn++) await settle();
    assert.equal(acked, 3);
    assert.deepEqual(failures, []);
    await stop(connection, clock);
  });
}

// MQTT.js reports a malformed packet as an error and keeps the connection open.
Deno.test("lean: a malformed packet from the broker ends the connection (MQTT-4.13)", async () => {
  const clock = new ManualClock();
  const openStream = () => {
    const [client, broker] = linkedStreamPair();
    broker.once("data", () => {
      broker.write(CONNACK_ACCEPTED);
      // A Remaining Length of five bytes: no MQTT packet (MQTT-1.5.5).
      setImmediate(() => broker.write(Uint8Array.of(0x40, 0xff, 0xff, 0xff, 0xff, 0x01)));
    });
    return client;
  };
  const { connection, counts } = connectionTo(openStream, clock, 4, () => {}, "lean");
  connection.start();
  for (let turn = 0; turn < 4; turn++) await settle();
  assert.equal(counts.connected, 1);
  assert.equal(counts.disconnected, 1);
  assert.equal(connection.isConnected, false);
  await stop(connection, clock);
});

Deno.test("lean: a publish above the broker's maximum packet size is refused, never sent (MQTT-3.1.2-24)", async () => {
  const clock = new ManualClock();
  let publishes = 0;
  const openStream = () => {
    const [client, broker] = linkedStreamPair();
    onPackets(broker, (packet) => {
      if (packet[0] >> 4 === 3) publishes++;
      if (packet[0] >> 4 !== 1) return;
      broker.write(mqttPacket.generate({
        cmd: "connack",
        sessionPresent: false,
        reasonCode: 0,
        properties: { maximumPacketSize: 64 },
      }, { protocolVersion: 5 }));
    });
    return client;
  };
  const { connection, failures } = connectionTo(openStream, clock, 5, () => {}, "lean");
  connection.start();
  await settle();
  connection.publish("t/1", "x".repeat(200), { qos: 1 }, clock.nowMs());
  connection.publish("t/1", "small", { qos: 1 }, clock.nowMs());
  await settle();
  assert.equal(publishes, 1, "only the small one went out");
  assert.deepEqual(failures.map((failure) => failure.message), [
    "publish refused: packet too large (reason 0x95)",
  ]);
  await stop(connection, clock);
});

for (const transport of TRANSPORTS) {
  Deno.test(`${transport}: keepalive holds an idle connection over several periods (MQTT-3.1.2-23)`, async () => {
    await using broker = await startTestBroker();
    // One reading at the start, then nothing for 4 keepalive periods of 2 s: only the
    // PINGREQs keep the broker (which cuts at 1.5 periods) from closing the connections.
    const result = await runCli([
      "run",
      "--url",
      broker.url,
      "-V",
      "4",
      "-c",
      "20",
      "-i",
      "60s",
      "-d",
      "8s",
      "-k",
      "2",
      "--transport",
      transport,
      "--json",
    ]);
    const summary = parseSummary(result);
    assert.equal(summary.connections.disconnects, 0, result.stderr);
    assert.deepEqual(summary.connections.errors, {});
    assert.equal(summary.connections.connected, 20);
    assert.equal(summary.fleets[0].transport, transport);
  });
}
