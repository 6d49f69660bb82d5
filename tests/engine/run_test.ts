import assert from "node:assert/strict";
import { startEmbeddedBroker } from "../../lib/broker/embedded_broker.ts";
import { applyOverrides } from "../../lib/config/apply_overrides.ts";
import { DEFAULT_SCENARIO } from "../../lib/config/scenario.ts";
import { SYSTEM_CLOCK } from "../../lib/engine/clock.ts";
import { startRun } from "../../lib/engine/run.ts";
import { FactStream, type RunFact } from "../../lib/metrics/facts.ts";

/** A wall clock far from today's, so the summary's times show which clock was used. */
const EPOCH_2030_MS = Date.UTC(2030, 0, 1);

Deno.test("startRun() emits its phases in order, one fact per second, and the summary last", async () => {
  await using broker = await startEmbeddedBrokerDisposable();
  const scenario = applyOverrides(DEFAULT_SCENARIO, [{
    source: "flag",
    values: {
      url: broker.url,
      sensors: "5",
      interval: "500ms",
      duration: "2s",
      drain: "200ms",
      "protocol-version": "4",
      topic: `iotload-test/run-${crypto.randomUUID().slice(0, 8)}/{id}`,
    },
  }]);
  const facts: RunFact[] = [];
  const stream = new FactStream();
  stream.subscribe((fact) => facts.push(fact));
  const startMs = SYSTEM_CLOCK.nowMs();
  const ids: string[] = [];
  const run = startRun(scenario, {
    seams: {
      clock: SYSTEM_CLOCK,
      epochNowMs: () => EPOCH_2030_MS + (SYSTEM_CLOCK.nowMs() - startMs),
      random: () => 0.5,
      newId: () => {
        ids.push("id");
        return "0123456789";
      },
      cores: 1,
    },
    broker: { url: broker.url, embedded: true },
    tls: {},
    interrupt: new AbortController().signal,
    version: "0.0.0-test",
  }, stream);
  const result = await run.result;

  const phases = facts.filter((fact) => fact.kind === "phase").map((fact) => fact.phase);
  assert.deepEqual(phases, ["ramp-up", "running", "draining", "stopped"]);
  const seconds = facts.filter((fact) => fact.kind === "second");
  assert.ok(seconds.length >= 2, `${seconds.length} seconds`);
  seconds.forEach((second, n) => {
    if (n > 0) assert.ok(second.elapsedMs > seconds[n - 1].elapsedMs);
    assert.equal(second.sensors, 5);
  });
  const last = facts.at(-1)!;
  assert.equal(last.kind, "summary");
  assert.equal(last.kind === "summary" && last.summary, result.summary);
  assert.equal(result.abortReason, null);
  assert.ok(result.summary.messages.sent > 0);
  assert.equal(result.summary.messages.received, result.summary.messages.sent);
  // The injected wall clock, not Date.now(), dates the summary; the probe's id is injected.
  assert.ok(result.summary.startedAt.startsWith("2030-01-01T00:00:0"), result.summary.startedAt);
  assert.equal(ids.length, 1);
});

async function startEmbeddedBrokerDisposable() {
  const broker = await startEmbeddedBroker();
  return { url: broker.url, [Symbol.asyncDispose]: () => broker.stop() };
}
