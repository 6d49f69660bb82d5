import assert from "node:assert/strict";
import { decodeEnvelope, encodeEnvelope } from "../../lib/transport/envelope.ts";

Deno.test("encodeEnvelope() writes JSON with sensorId, seq and ts first, then the body", () => {
  const text = encodeEnvelope(
    "0042",
    7,
    1_764_480_000_123.5,
    '"temperatureC":21.4,"humidityPct":40',
  );
  assert.ok(text.startsWith('{"sensorId":"0042","seq":7,"ts":1764480000123.5,'), text);
  assert.deepEqual(JSON.parse(text), {
    sensorId: "0042",
    seq: 7,
    ts: 1_764_480_000_123.5,
    temperatureC: 21.4,
    humidityPct: 40,
  });
  assert.deepEqual(Object.keys(JSON.parse(text)), [
    "sensorId",
    "seq",
    "ts",
    "temperatureC",
    "humidityPct",
  ]);
});

Deno.test("encodeEnvelope() with an empty body writes only the envelope", () => {
  const text = encodeEnvelope("7", 0, 1_000, "");
  assert.equal(text, '{"sensorId":"7","seq":0,"ts":1000}');
  assert.deepEqual(JSON.parse(text), { sensorId: "7", seq: 0, ts: 1_000 });
});

Deno.test("encodeEnvelope() keeps any sensor id valid JSON", () => {
  for (const sensorId of ['a"b', "back\\slash", "line\nbreak", "ünï", ""]) {
    const text = encodeEnvelope(sensorId, 1, 2, '"x":1');
    assert.deepEqual(JSON.parse(text), { sensorId, seq: 1, ts: 2, x: 1 });
  }
});

Deno.test("decodeEnvelope() round-trips sensor id, seq and send time", () => {
  for (
    const [sensorId, seq, tsMs] of [
      ["0001", 0, 1_764_480_000_000],
      ["9999", 123_456, 1_764_480_000_123.456],
      ['quo"te', Number.MAX_SAFE_INTEGER, 0.5],
    ] as const
  ) {
    assert.deepEqual(decodeEnvelope(encodeEnvelope(sensorId, seq, tsMs, '"t":1')), {
      sensorId,
      seq,
      ts: tsMs,
    });
  }
});

Deno.test("encodeEnvelope() keeps fractional ms to 3 decimals (microseconds)", () => {
  const decoded = decodeEnvelope(encodeEnvelope("1", 1, 1_764_480_000_123.456_789, ""));
  assert.equal(decoded?.ts, 1_764_480_000_123.457);
  assert.equal(decodeEnvelope(encodeEnvelope("1", 1, 10.000_4, ""))?.ts, 10);
  assert.equal(decodeEnvelope(encodeEnvelope("1", 1, 10.000_6, ""))?.ts, 10.001);
});

Deno.test("decodeEnvelope() accepts Uint8Array payloads", () => {
  const bytes = new TextEncoder().encode(encodeEnvelope("0042", 9, 1_500.25, '"v":3'));
  assert.deepEqual(decodeEnvelope(bytes), { sensorId: "0042", seq: 9, ts: 1_500.25 });
});

Deno.test("decodeEnvelope() returns only the envelope fields, not the body", () => {
  const decoded = decodeEnvelope('{"sensorId":"1","seq":2,"ts":3,"extra":{"deep":true}}');
  assert.deepEqual(decoded, { sensorId: "1", seq: 2, ts: 3 });
});

Deno.test("decodeEnvelope() rejects payloads that are not JSON objects", () => {
  for (
    const payload of [
      "",
      "not json",
      '{"sensorId":"1","seq":1,"ts":1',
      "null",
      "42",
      '"text"',
      "true",
      '[{"sensorId":"1","seq":1,"ts":1}]',
      '["1",1,1]',
    ]
  ) {
    assert.equal(decodeEnvelope(payload), null, payload);
  }
  assert.equal(decodeEnvelope(new Uint8Array([0xff, 0xfe, 0x00])), null);
});

Deno.test("decodeEnvelope() rejects a missing, negative, fractional or non-number seq", () => {
  for (
    const payload of [
      '{"sensorId":"1","ts":1}',
      '{"sensorId":"1","seq":-1,"ts":1}',
      '{"sensorId":"1","seq":1.5,"ts":1}',
      '{"sensorId":"1","seq":"1","ts":1}',
      '{"sensorId":"1","seq":null,"ts":1}',
      '{"sensorId":"1","seq":1e400,"ts":1}',
    ]
  ) {
    assert.equal(decodeEnvelope(payload), null, payload);
  }
});

Deno.test("decodeEnvelope() rejects a missing, non-number or non-finite ts", () => {
  for (
    const payload of [
      '{"sensorId":"1","seq":1}',
      '{"sensorId":"1","seq":1,"ts":"1000"}',
      '{"sensorId":"1","seq":1,"ts":null}',
      '{"sensorId":"1","seq":1,"ts":1e400}',
      '{"sensorId":"1","seq":1,"ts":-1e400}',
    ]
  ) {
    assert.equal(decodeEnvelope(payload), null, payload);
  }
});

Deno.test("decodeEnvelope() rejects a missing or non-string sensorId", () => {
  for (
    const payload of [
      '{"seq":1,"ts":1}',
      '{"sensorId":42,"seq":1,"ts":1}',
      '{"sensorId":null,"seq":1,"ts":1}',
      '{"sensorId":["1"],"seq":1,"ts":1}',
    ]
  ) {
    assert.equal(decodeEnvelope(payload), null, payload);
  }
});
