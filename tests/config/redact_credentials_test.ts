import assert from "node:assert/strict";
import { parseBrokerUrl, redactCredentials } from "../../lib/config/values.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

const SECRET = "pa/ss@w:rd";

Deno.test("redactCredentials() hides the password of every URL-shaped input, well-formed or not", () => {
  const cases: [string, string][] = [
    ["mqtt://user:secret@host:1883", "mqtt://user:***@host:1883"],
    [`mqtt://user:${SECRET}@host:1883`, "mqtt://user:***@host:1883"],
    [`mqtt//user:${SECRET}@host`, "mqtt//user:***@host"],
    [`mqtt:user:${SECRET}@host`, "mqtt:***@host"],
    [`user:${SECRET}@host:1883`, "user:***@host:1883"],
    ["wss://user:p%40ss@host/mqtt", "wss://user:***@host/mqtt"],
    ["mqtt://user@host", "mqtt://user@host"],
    ["mqtt://host:1883", "mqtt://host:1883"],
  ];
  for (const [input, expected] of cases) {
    assert.equal(redactCredentials(input), expected, input);
    assert.ok(!redactCredentials(input).includes("secret"), input);
    assert.ok(!redactCredentials(input).includes("w:rd"), input);
  }
});

Deno.test("parseBrokerUrl() never shows the password in its errors", () => {
  const inputs = [
    `mqtt//u:${SECRET}@host`,
    `u:${SECRET}@host`,
    `ftp://u:${SECRET}@host`,
    `mqtt://u:${SECRET}@host:1883`,
    "mqtt://u:bad%zzsecret@host",
  ];
  for (const input of inputs) {
    try {
      parseBrokerUrl(input, "--url");
    } catch (error) {
      assert.ok(error instanceof UsageError, input);
      assert.ok(
        !error.message.includes("w:rd") && !error.message.includes("secret"),
        error.message,
      );
      continue;
    }
    assert.fail(`${input} was accepted`);
  }
});
