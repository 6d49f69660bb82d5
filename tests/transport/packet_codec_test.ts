import assert from "node:assert/strict";
import {
  decodePacket,
  encodePacket,
  MalformedPacketError,
  packetSize,
} from "../../lib/transport/packet_codec.ts";

Deno.test("packetSize counts a whole packet and waits for one not yet complete", () => {
  const pingresp = Uint8Array.of(0xd0, 0x00);
  assert.equal(packetSize(pingresp, 0), 2);
  assert.equal(packetSize(pingresp.subarray(0, 1), 0), 0);
  const publish = encodePacket(
    { cmd: "publish", topic: "t", payload: "x".repeat(300), qos: 0, retain: false, dup: false },
    4,
  );
  // 300 bytes of payload: a Remaining Length of two bytes.
  assert.equal(publish[1] & 0x80, 0x80);
  for (let cut = 0; cut < publish.length; cut++) {
    assert.equal(packetSize(publish.subarray(0, cut), 0), 0, `cut at ${cut}`);
  }
  assert.equal(packetSize(publish, 0), publish.length);
  const both = new Uint8Array([...pingresp, ...publish]);
  assert.equal(packetSize(both, 2), publish.length);
});

Deno.test("packetSize refuses a Remaining Length longer than four bytes (MQTT-1.5.5)", () => {
  assert.throws(
    () => packetSize(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), 0),
    MalformedPacketError,
  );
  // Four bytes is the most, and allowed: it only waits for the rest.
  assert.equal(packetSize(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f), 0), 0);
});

Deno.test("decodePacket reads packets of both versions through the shared decoders", () => {
  const puback = decodePacket(Uint8Array.of(0x40, 0x03, 0x00, 0x07, 0x97), 5);
  assert.equal(puback.cmd, "puback");
  assert.deepEqual(
    [(puback as { messageId?: number }).messageId, (puback as { reasonCode?: number }).reasonCode],
    [7, 0x97],
  );
  const connack = decodePacket(Uint8Array.of(0x20, 0x02, 0x00, 0x05), 4);
  assert.equal((connack as { returnCode?: number }).returnCode, 5);
});

Deno.test("a malformed packet is refused and the next one still decodes", () => {
  // PUBREL with header flags 0 (MQTT-3.6.1-1: they must be 0010).
  assert.throws(() => decodePacket(Uint8Array.of(0x60, 0x02, 0x00, 0x01), 4), MalformedPacketError);
  // CONNACK cut short of its second byte, counted whole by mistake.
  assert.throws(() => decodePacket(Uint8Array.of(0x20, 0x02, 0x00), 4), MalformedPacketError);
  const pingresp = decodePacket(Uint8Array.of(0xd0, 0x00), 4);
  assert.equal(pingresp.cmd, "pingresp");
  const puback = decodePacket(Uint8Array.of(0x40, 0x02, 0x01, 0x02), 4);
  assert.equal((puback as { messageId?: number }).messageId, 0x0102);
});

Deno.test("packets are encoded without mqtt-packet's number cache", async () => {
  const mqttPacket = (await import("mqtt-packet")).default;
  assert.equal(mqttPacket.writeToStream.cacheNumbers, false);
  const bytes = encodePacket({ cmd: "puback", messageId: 513 }, 4);
  assert.deepEqual([...bytes], [0x40, 0x02, 0x02, 0x01]);
});
