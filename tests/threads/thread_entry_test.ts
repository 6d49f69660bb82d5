import assert from "node:assert/strict";
import { currentThreadRole, holdEarlyMessages } from "../../lib/threads/thread_entry.ts";

Deno.test("currentThreadRole() is null on the main thread", () => {
  assert.equal(currentThreadRole(), null);
});

Deno.test("holdEarlyMessages() hands held messages, in order, to the handler installed later", () => {
  const scope = globalThis as unknown as { onmessage: ((event: MessageEvent) => void) | null };
  const before = scope.onmessage;
  try {
    const handOver = holdEarlyMessages();
    scope.onmessage!(new MessageEvent("message", { data: "first" }));
    scope.onmessage!(new MessageEvent("message", { data: "second" }));
    const seen: unknown[] = [];
    scope.onmessage = (event) => seen.push(event.data);
    handOver();
    scope.onmessage(new MessageEvent("message", { data: "third" }));
    assert.deepEqual(seen, ["first", "second", "third"]);
  } finally {
    scope.onmessage = before;
  }
});
