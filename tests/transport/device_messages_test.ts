import assert from "node:assert/strict";
import {
  encodeCommand,
  encodeCommandAnswer,
  readCommandId,
} from "../../lib/transport/command_message.ts";
import { encodeStatus } from "../../lib/transport/status_message.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("encodeStatus() writes the sensor id, online and the given time, whole ms", () => {
  assert.equal(
    encodeStatus("0042", false, Date.UTC(2030, 0, 1) + 0.6),
    `{"sensorId":"0042","online":false,"ts":${Date.UTC(2030, 0, 1) + 1}}`,
  );
});

Deno.test("a command and its answer carry one commandId that readCommandId() reads back", () => {
  const command = encodeCommand(7, 1_000.4);
  assert.deepEqual(JSON.parse(command), { commandId: 7, ts: 1_000, action: "report" });
  assert.equal(readCommandId(bytes(command)), 7);
  const answer = encodeCommandAnswer("0042", 7);
  assert.deepEqual(JSON.parse(answer), { sensorId: "0042", commandId: 7, ok: true });
  assert.equal(readCommandId(bytes(answer)), 7);
});

Deno.test("readCommandId() is null for anything but a whole commandId", () => {
  for (const text of ["", "nope", "{}", '{"commandId":1.5}', '{"commandId":"7"}', "[7]"]) {
    assert.equal(readCommandId(bytes(text)), null, text);
  }
});
