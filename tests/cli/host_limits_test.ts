import assert from "node:assert/strict";
import { checkHostLimits, countOpenableFiles } from "../../lib/cli/host_limits.ts";
import { DEFAULT_SCENARIO, type Scenario } from "../../lib/config/scenario.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

function scenarioOf(sensors: number, changes: Partial<Scenario> = {}): Scenario {
  const fleet = { ...DEFAULT_SCENARIO.fleets[0], count: sensors };
  return { ...DEFAULT_SCENARIO, url: "mqtt://127.0.0.1:1883", fleets: [fleet], ...changes };
}

Deno.test("countOpenableFiles() opens up to the count asked for and closes them again", () => {
  assert.equal(countOpenableFiles(16), 16);
  assert.equal(countOpenableFiles(16), 16);
});

Deno.test("checkHostLimits() passes a run that fits and asks only for what it needs", () => {
  const asked: number[] = [];
  const warnings = checkHostLimits(scenarioOf(1_000), (upTo) => {
    asked.push(upTo);
    return upTo;
  }, "remote");
  assert.deepEqual(warnings, []);
  // 1,000 sensors + 1 probe connection + the margin of 64.
  assert.deepEqual(asked, [1_065]);
});

Deno.test("checkHostLimits() counts both ends over TCP to the embedded broker, one in memory", () => {
  const asked: number[] = [];
  const count = (upTo: number) => {
    asked.push(upTo);
    return upTo;
  };
  checkHostLimits(scenarioOf(1_000, { url: null }), count, "embeddedTcp");
  checkHostLimits(scenarioOf(10_000, { url: null }), count, "embeddedMemory");
  assert.deepEqual(asked, [2_066, 10_065]);
});

Deno.test("checkHostLimits() keeps the embedded broker to a fleet the host could hold", () => {
  assert.throws(
    () => checkHostLimits(scenarioOf(1_000_000, { url: null }), () => 19_900, "embeddedMemory"),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message.startsWith(
        "1,000,000 sensors are more than the embedded broker takes on this host (at most about 19,836",
      ) && error.hint!.includes("--url"),
  );
});

Deno.test("checkHostLimits() refuses a run with more connections than descriptors", () => {
  assert.throws(
    () => checkHostLimits(scenarioOf(10_000), () => 9_000, "remote"),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message ===
        "10,000 sensors need about 10,065 open files; this process can open 9,000 more" &&
      error.hint!.includes("ulimit -n"),
  );
});

Deno.test("checkHostLimits() goes on unchecked when descriptors cannot be counted", () => {
  assert.deepEqual(checkHostLimits(scenarioOf(10_000), () => null, "remote"), []);
});

Deno.test("checkHostLimits() warns when one source address would need more ports than Linux's default range", () => {
  const many = checkHostLimits(scenarioOf(30_000), (upTo) => upTo, "remote");
  assert.equal(many.length, 1);
  assert.match(
    many[0],
    /^30,000 connections per source address .* --bind 127\.0\.0\.2-127\.0\.0\.4 /,
  );
  const spread = checkHostLimits(
    scenarioOf(30_000, { bindAddresses: ["127.0.0.2", "127.0.0.3", "127.0.0.4"] }),
    (upTo) => upTo,
    "remote",
  );
  assert.deepEqual(spread, []);
});

Deno.test("checkHostLimits() warns past half of the default ports, where each connect searches for one", () => {
  assert.deepEqual(checkHostLimits(scenarioOf(14_000), (upTo) => upTo, "remote"), []);
  const [warning] = checkHostLimits(scenarioOf(18_000), (upTo) => upTo, "remote");
  assert.match(
    warning,
    /^18,000 connections per source address: past about 14,116 \(half of Linux's default ephemeral ports\) each connect searches for a free port.*widen net\.ipv4\.ip_local_port_range .* --bind 127\.0\.0\.2-127\.0\.0\.3 on loopback$/,
  );
});
