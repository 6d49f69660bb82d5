import assert from "node:assert/strict";
import {
  cpuRateBetween,
  lastPeakRssKb,
  maxRssKbBetween,
  parseStatCpuTicks,
  parseStatusKb,
  type ProcessSample,
  rampMsFromFds,
} from "./process_sampler.ts";

function sample(atMs: number, fields: Partial<ProcessSample> = {}): ProcessSample {
  return { atMs, cpuSeconds: 0, rssKb: 1_000, peakRssKb: 1_000, openFds: 20, ...fields };
}

Deno.test("parseStatCpuTicks() adds utime and stime, counting fields after the command name", () => {
  // A command name with spaces and a parenthesis must not shift the fields.
  const stat = "4242 (deno (x) y) S 1 4242 4242 0 -1 4194560 5000 0 0 0 731 112 0 0 20 0 9 0";
  assert.deepEqual(parseStatCpuTicks(stat), 843);
});

Deno.test("parseStatusKb() reads VmRSS and VmHWM, and null when the process has exited", () => {
  const status = "Name:\tdeno\nVmHWM:\t  118912 kB\nVmRSS:\t  101004 kB\nThreads:\t9\n";
  assert.deepEqual(parseStatusKb(status, "VmHWM"), 118_912);
  assert.deepEqual(parseStatusKb(status, "VmRSS"), 101_004);
  assert.deepEqual(parseStatusKb("Name:\tdeno\nState:\tZ (zombie)\n", "VmRSS"), null);
});

Deno.test("lastPeakRssKb() keeps the last peak seen before the memory fields vanished", () => {
  const samples = [
    sample(0, { peakRssKb: 90_000 }),
    sample(100, { peakRssKb: 120_000 }),
    sample(200, { peakRssKb: null, rssKb: null }),
  ];
  assert.deepEqual(lastPeakRssKb(samples), 120_000);
  assert.deepEqual(lastPeakRssKb([]), null);
});

Deno.test("maxRssKbBetween() looks only inside the window", () => {
  const samples = [
    sample(0, { rssKb: 500_000 }),
    sample(100, { rssKb: 120_000 }),
    sample(200, { rssKb: 130_000 }),
    sample(300, { rssKb: 900_000 }),
  ];
  assert.deepEqual(maxRssKbBetween(samples, 100, 200), 130_000);
  assert.deepEqual(maxRssKbBetween(samples, 1_000, 2_000), null);
});

Deno.test("cpuRateBetween() gives cores in use between the first and last sample inside", () => {
  const samples = [
    sample(0, { cpuSeconds: 0 }),
    sample(1_000, { cpuSeconds: 1 }),
    sample(3_000, { cpuSeconds: 2 }),
    sample(4_000, { cpuSeconds: 10 }),
  ];
  assert.deepEqual(cpuRateBetween(samples, 500, 3_500), 0.5);
  assert.deepEqual(cpuRateBetween(samples, 500, 1_500), null);
});

Deno.test("rampMsFromFds() times 1% to 99% of the new descriptors, scaled to all of them", () => {
  const samples = [
    sample(0, { openFds: 20 }),
    sample(10, { openFds: 20 }),
    sample(20, { openFds: 60 }),
    sample(510, { openFds: 1_010 }),
    sample(520, { openFds: 1_020 }),
  ];
  assert.deepEqual(rampMsFromFds(samples, 1_000), 490 / 0.98);
  assert.deepEqual(rampMsFromFds(samples.map((s) => ({ ...s, openFds: null })), 1_000), null);
  // The count never rose by 1,000 from a sample before the ramp.
  assert.deepEqual(rampMsFromFds(samples.slice(2), 1_000), null);
});

Deno.test("rampMsFromFds() times the connections, not the open-file check's spike before them", () => {
  const samples = [
    sample(0, { openFds: 20 }),
    // The check opens as many descriptors as the run needs, then closes them.
    sample(10, { openFds: 1_100 }),
    sample(20, { openFds: 20 }),
    sample(100, { openFds: 60 }),
    sample(600, { openFds: 1_010 }),
    sample(610, { openFds: 1_020 }),
  ];
  assert.deepEqual(rampMsFromFds(samples, 1_000), 500 / 0.98);
  // The spike alone, caught by one sample, is no ramp.
  assert.deepEqual(rampMsFromFds(samples.slice(0, 3), 1_000), null);
});
