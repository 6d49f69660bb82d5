import assert from "node:assert/strict";
import { UsageError } from "../../lib/config/usage_error.ts";
import { parseBrokerUrl, parseChoice, parseInteger } from "../../lib/config/values.ts";

Deno.test("parseInteger() accepts plain digits and _ groups of three", () => {
  assert.equal(parseInteger("0", "--seed", 0), 0);
  assert.equal(parseInteger("42", "--sensors", 1), 42);
  assert.equal(parseInteger("10_000", "--sensors", 1), 10_000);
  assert.equal(parseInteger("1_000_000", "--sensors", 1), 1_000_000);
  assert.equal(parseInteger(" 7 ", "--sensors", 1), 7);
});

Deno.test("parseInteger() rejects misplaced _, signs, decimals and junk, naming the field", () => {
  for (
    const text of [
      "",
      "abc",
      "1_0",
      "10_00",
      "_100",
      "100_",
      "1__000",
      "-1",
      "+1",
      "1.5",
      "1e3",
      "0x10",
      "1 000",
    ]
  ) {
    assert.throws(
      () => parseInteger(text, "--sensors", 0),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message === `--sensors: expected a whole number, got ${JSON.stringify(text)}`,
      JSON.stringify(text),
    );
  }
});

Deno.test("parseInteger() enforces [min, max] inclusively", () => {
  assert.equal(parseInteger("1", "--qos-like", 1, 3), 1);
  assert.equal(parseInteger("3", "--qos-like", 1, 3), 3);
  assert.throws(() => parseInteger("0", "--max-inflight", 1, 65_535), {
    name: "UsageError",
    message: "--max-inflight: expected 1 to 65535, got 0",
  });
  assert.throws(() => parseInteger("65_536", "--max-inflight", 1, 65_535), {
    name: "UsageError",
    message: "--max-inflight: expected 1 to 65535, got 65_536",
  });
});

Deno.test("parseInteger() without max says 'at least' and rejects unsafe integers", () => {
  assert.throws(() => parseInteger("0", "--sensors", 1), {
    message: "--sensors: expected at least 1, got 0",
  });
  assert.equal(
    parseInteger(String(Number.MAX_SAFE_INTEGER), "--seed", 0),
    Number.MAX_SAFE_INTEGER,
  );
  assert.throws(() => parseInteger("99999999999999999999", "--seed", 0), UsageError);
});

Deno.test("parseChoice() returns the matching choice as a number", () => {
  assert.equal(parseChoice("0", "--qos", [0, 1, 2]), 0);
  assert.equal(parseChoice("2", "--qos", [0, 1, 2]), 2);
  assert.equal(parseChoice(" 5 ", "--protocol-version", [4, 5]), 5);
});

Deno.test("parseChoice() rejects values outside the set, listing the choices", () => {
  for (const text of ["3", "01", "1.0", "", "one", "-1"]) {
    assert.throws(
      () => parseChoice(text, "--qos", [0, 1, 2]),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message === `--qos: expected one of 0, 1, 2, got ${JSON.stringify(text)}`,
      JSON.stringify(text),
    );
  }
});

Deno.test("parseBrokerUrl() accepts mqtt, mqtts, ws and wss URLs with a host", () => {
  for (
    const url of [
      "mqtt://127.0.0.1:1883",
      "mqtts://broker.example:8883",
      "ws://localhost:8080/mqtt",
      "wss://broker.example/mqtt",
      "mqtt://[::1]:1883",
      "mqtt://user:secret@127.0.0.1",
    ]
  ) {
    assert.equal(parseBrokerUrl(url, "--url"), url);
  }
  assert.equal(parseBrokerUrl("  mqtt://127.0.0.1:1883 ", "--url"), "mqtt://127.0.0.1:1883");
});

Deno.test("parseBrokerUrl() rejects other schemes, naming the scheme", () => {
  for (
    const [url, scheme] of [["ftp://host", "ftp"], ["http://host:1883", "http"], [
      "tcp://host",
      "tcp",
    ]]
  ) {
    assert.throws(() => parseBrokerUrl(url, "--url"), {
      name: "UsageError",
      message: `--url: unsupported scheme "${scheme}" in ${
        JSON.stringify(url)
      }; use mqtt, mqtts, ws or wss`,
    });
  }
});

Deno.test("parseBrokerUrl() rejects a URL without a host", () => {
  for (const url of ["mqtt://", "mqtt:/path", "mqtt:host"]) {
    assert.throws(() => parseBrokerUrl(url, "--url"), {
      name: "UsageError",
      message: `--url: missing host in ${JSON.stringify(url)}`,
    });
  }
});

Deno.test("parseBrokerUrl() rejects text that is not a URL", () => {
  for (const text of ["garbage", "", "127.0.0.1:1883", "mqtt://host:99999", "://host"]) {
    assert.throws(() => parseBrokerUrl(text, "--url"), {
      name: "UsageError",
      message: `--url: expected a broker URL like mqtt://host:1883, got ${JSON.stringify(text)}`,
    });
  }
});
