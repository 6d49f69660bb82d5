import assert from "node:assert/strict";
import type { Summary } from "../../lib/metrics/summary.ts";
import { runHints } from "../../lib/report/run_hints.ts";

function summaryWith(
  qos: number,
  messages: Partial<Summary["messages"]>,
  errors: Record<string, number>,
  probe = true,
): Summary {
  return {
    config: { fleets: [{ qos }] },
    messages: { sent: 100, acked: 0, received: 100, ...messages },
    connections: { errors },
    ledger: { probe, balanced: true, note: "" },
  } as unknown as Summary;
}

Deno.test("runHints() says a broker may not support QoS 2 when none was completed", () => {
  assert.deepEqual(runHints(summaryWith(2, {}, { ackTimeout: 100 })), [
    "no QoS 2 publish was completed (PUBREC, PUBREL, PUBCOMP): the broker may not support QoS 2; try -q 1",
  ]);
  assert.deepEqual(runHints(summaryWith(2, { acked: 99 }, { ackTimeout: 1 })), []);
  assert.deepEqual(runHints(summaryWith(1, {}, { ackTimeout: 100 })), []);
});

Deno.test("runHints() says the probe may lack read access when it received nothing", () => {
  assert.deepEqual(runHints(summaryWith(0, { received: 0 }, {})), [
    "the probe received none of the 100 messages sent: this user may lack read access to the fleet's topics",
  ]);
  assert.deepEqual(runHints(summaryWith(0, { received: 0 }, {}, false)), [], "no probe, no hint");
});
