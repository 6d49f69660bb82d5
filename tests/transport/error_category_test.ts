import assert from "node:assert/strict";
import { classifyError, describeReasonCode } from "../../lib/transport/error_category.ts";

Deno.test("describeReasonCode() puts MQTT 5 reason codes into words", () => {
  assert.deepEqual(describeReasonCode(0x87, 5), {
    category: "notAuthorized",
    message: "not authorized (reason 0x87)",
  });
  assert.deepEqual(describeReasonCode(0x86, 5), {
    category: "badCredentials",
    message: "bad user name or password (reason 0x86)",
  });
  assert.deepEqual(describeReasonCode(0x8e, 5), {
    category: "sessionTakenOver",
    message: "session taken over (reason 0x8e)",
  });
  assert.deepEqual(describeReasonCode(0x88, 5), {
    category: "serverUnavailable",
    message: "server unavailable (reason 0x88)",
  });
  assert.equal(describeReasonCode(0x8b, 5).category, "disconnected");
  assert.equal(describeReasonCode(0x9f, 5).category, "serverUnavailable");
});

Deno.test("describeReasonCode() puts MQTT 3.1.1 CONNACK return codes into words", () => {
  assert.deepEqual(describeReasonCode(4, 4), {
    category: "badCredentials",
    message: "bad user name or password (reason 0x04)",
  });
  assert.deepEqual(describeReasonCode(5, 4), {
    category: "notAuthorized",
    message: "not authorized (reason 0x05)",
  });
  assert.equal(describeReasonCode(3, 4).category, "serverUnavailable");
  assert.equal(describeReasonCode(1, 4).category, "protocolUnsupported");
});

Deno.test("describeReasonCode() reads a 3.1.1 return code given to an MQTT 5 client by the 3.1.1 table", () => {
  assert.deepEqual(describeReasonCode(5, 5), {
    category: "notAuthorized",
    message: "not authorized (reason 0x05)",
  });
  assert.deepEqual(describeReasonCode(4, 5), {
    category: "badCredentials",
    message: "bad user name or password (reason 0x04)",
  });
});

Deno.test("describeReasonCode() does not read MQTT 5 codes for a 3.1.1 client", () => {
  assert.deepEqual(describeReasonCode(0x87, 4), {
    category: "brokerRefused",
    message: "refused by the broker (reason 0x87)",
  });
});

Deno.test("describeReasonCode() reports an unknown code as brokerRefused with its hex", () => {
  assert.deepEqual(describeReasonCode(0xff, 5), {
    category: "brokerRefused",
    message: "refused by the broker (reason 0xff)",
  });
  assert.deepEqual(describeReasonCode(0x8d, 5), {
    category: "brokerRefused",
    message: "refused by the broker (reason 0x8d)",
  });
  assert.deepEqual(describeReasonCode(6, 4), {
    category: "brokerRefused",
    message: "refused by the broker (reason 0x06)",
  });
});

Deno.test("classifyError() classifies a CONNACK refusal by its numeric code", () => {
  const refusal = Object.assign(new Error("Connection refused: Not authorized"), { code: 0x87 });
  assert.deepEqual(classifyError(refusal, 5), {
    category: "notAuthorized",
    message: "not authorized (reason 0x87)",
  });
  const v4 = Object.assign(new Error("Connection refused: Bad username or password"), { code: 4 });
  assert.equal(classifyError(v4, 4).category, "badCredentials");
});

function socketError(code: string, message = `connect ${code} 127.0.0.1:1883`): Error {
  return Object.assign(new Error(message), { code });
}

Deno.test("classifyError() classifies socket errors by their errno code", () => {
  assert.deepEqual(classifyError(socketError("ECONNREFUSED"), 5), {
    category: "connectRefused",
    message: "connection refused",
  });
  assert.deepEqual(classifyError(socketError("ECONNRESET"), 4), {
    category: "disconnected",
    message: "connection reset by the broker",
  });
  assert.equal(classifyError(socketError("EPIPE"), 4).category, "disconnected");
  assert.deepEqual(classifyError(socketError("ENOTFOUND"), 5), {
    category: "networkError",
    message: "host not found (ENOTFOUND)",
  });
  assert.equal(classifyError(socketError("EAI_AGAIN"), 5).category, "networkError");
  assert.equal(classifyError(socketError("ETIMEDOUT"), 5).category, "connectTimeout");
  assert.deepEqual(classifyError(socketError("EMFILE", "too many open files"), 5), {
    category: "networkError",
    message: "too many open files (EMFILE)",
  });
});

Deno.test("classifyError() marks TLS failures and keeps other messages as networkError", () => {
  assert.deepEqual(classifyError(new Error("self-signed certificate in chain"), 5), {
    category: "networkError",
    message: "TLS: self-signed certificate in chain",
  });
  assert.deepEqual(classifyError(new Error("something odd"), 5), {
    category: "networkError",
    message: "something odd",
  });
  assert.deepEqual(classifyError("plain text thrown", 4), {
    category: "networkError",
    message: "plain text thrown",
  });
});
