import assert from "node:assert/strict";
import { type Observation, SequenceLedger } from "../../lib/probe/ledger.ts";

function observeAll(
  ledger: SequenceLedger,
  sensorId: string,
  seqs: number[],
): Observation[] {
  return seqs.map((seq) => ledger.observe(sensorId, seq));
}

Deno.test("observe() of an in-order sequence reports no loss", () => {
  const ledger = new SequenceLedger();
  const seen = observeAll(ledger, "s1", [0, 1, 2, 3, 4]);
  assert.deepEqual(seen, ["new", "new", "new", "new", "new"]);
  assert.deepEqual(ledger.totals(), {
    received: 5,
    duplicates: 0,
    reordered: 0,
    lost: 0,
    sensors: 1,
  });
});

Deno.test("totals() counts one gap as one lost message", () => {
  const ledger = new SequenceLedger();
  observeAll(ledger, "s1", [0, 1, 3, 4]);
  assert.deepEqual(ledger.totals(), {
    received: 4,
    duplicates: 0,
    reordered: 0,
    lost: 1,
    sensors: 1,
  });
});

Deno.test("observe() reports a repeated seq as one duplicate", () => {
  const ledger = new SequenceLedger();
  const seen = observeAll(ledger, "s1", [0, 1, 1, 2]);
  assert.deepEqual(seen, ["new", "new", "duplicate", "new"]);
  const totals = ledger.totals();
  assert.equal(totals.duplicates, 1);
  assert.equal(totals.received, 3);
  assert.equal(totals.lost, 0);
});

Deno.test("observe() reports a late seq as reordered and it fills the gap", () => {
  const ledger = new SequenceLedger();
  const seen = observeAll(ledger, "s1", [0, 2, 3, 1, 4]);
  assert.deepEqual(seen, ["new", "new", "new", "reordered", "new"]);
  assert.deepEqual(ledger.totals(), {
    received: 5,
    duplicates: 0,
    reordered: 1,
    lost: 0,
    sensors: 1,
  });
});

Deno.test("observe() reports a repeat of a reordered seq as a duplicate", () => {
  const ledger = new SequenceLedger();
  const seen = observeAll(ledger, "s1", [0, 3, 1, 1, 3, 0]);
  assert.deepEqual(seen, [
    "new",
    "new",
    "reordered",
    "duplicate",
    "duplicate",
    "duplicate",
  ]);
  const totals = ledger.totals();
  assert.equal(totals.duplicates, 3);
  assert.equal(totals.reordered, 1);
  assert.equal(totals.lost, 1);
});

Deno.test("observe() fills gaps from the middle, start and end of a run", () => {
  const ledger = new SequenceLedger();
  observeAll(ledger, "s1", [0, 10, 20]);
  const late = observeAll(ledger, "s1", [5, 1, 9, 15, 5, 11, 19, 3]);
  assert.deepEqual(late, [
    "reordered",
    "reordered",
    "reordered",
    "reordered",
    "duplicate",
    "reordered",
    "reordered",
    "reordered",
  ]);
  const totals = ledger.totals();
  assert.equal(totals.received, 10);
  assert.equal(totals.lost, 11);
  for (const seq of [2, 4, 6, 7, 8, 12, 13, 14, 16, 17, 18]) {
    assert.equal(ledger.observe("s1", seq), "reordered");
  }
  assert.equal(ledger.totals().lost, 0);
  assert.equal(ledger.totals().received, 21);
});

Deno.test("observe() counts a first seq above 0 as leading losses", () => {
  const ledger = new SequenceLedger();
  assert.equal(ledger.observe("s1", 3), "new");
  assert.equal(ledger.totals().lost, 3);
  assert.equal(ledger.observe("s1", 0), "reordered");
  assert.equal(ledger.totals().lost, 2);
});

Deno.test("observe() keeps sensors independent", () => {
  const ledger = new SequenceLedger();
  observeAll(ledger, "s1", [0, 1, 2]);
  assert.deepEqual(observeAll(ledger, "s2", [0, 1]), ["new", "new"]);
  assert.deepEqual(ledger.totals(), {
    received: 5,
    duplicates: 0,
    reordered: 0,
    lost: 0,
    sensors: 2,
  });
});

Deno.test("totals() with expected counts adds trailing losses and unseen sensors", () => {
  const ledger = new SequenceLedger();
  observeAll(ledger, "s1", [0, 1, 2]);
  observeAll(ledger, "s2", [0, 2]);
  const expected = new Map([["s1", 5], ["s2", 3], ["s3", 4]]);
  assert.deepEqual(ledger.totals(expected), {
    received: 5,
    duplicates: 0,
    reordered: 0,
    lost: 2 + 1 + 4,
    sensors: 2,
  });
});

Deno.test("totals() never counts negative loss when the expected count trails arrivals", () => {
  const ledger = new SequenceLedger();
  observeAll(ledger, "s1", [0, 1, 2, 3]);
  assert.equal(ledger.totals(new Map([["s1", 2]])).lost, 0);
});

Deno.test("totals() of an empty ledger is all zeros", () => {
  assert.deepEqual(new SequenceLedger().totals(), {
    received: 0,
    duplicates: 0,
    reordered: 0,
    lost: 0,
    sensors: 0,
  });
});

Deno.test("observe() rejects a negative or fractional seq", () => {
  const ledger = new SequenceLedger();
  assert.throws(() => ledger.observe("s1", -1), RangeError);
  assert.throws(() => ledger.observe("s1", 1.5), RangeError);
  assert.throws(() => ledger.observe("s1", NaN), RangeError);
});

Deno.test("observe() agrees with a brute-force count on shuffled, lossy, repeated input", () => {
  // Seeded so a failure reproduces.
  let state = 12345;
  const nextRandom = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  const sentCount = 2_000;
  const arrivals: number[] = [];
  for (let seq = 0; seq < sentCount; seq++) {
    if (nextRandom() < 0.05) continue;
    arrivals.push(seq);
    if (nextRandom() < 0.03) arrivals.push(seq);
  }
  // Local shuffles only, like a network reordering a few neighbours.
  for (let i = 0; i + 1 < arrivals.length; i++) {
    if (nextRandom() < 0.1) {
      [arrivals[i], arrivals[i + 1]] = [arrivals[i + 1], arrivals[i]];
    }
  }
  const ledger = new SequenceLedger();
  const seen = new Set<number>();
  let expectedDuplicates = 0;
  let expectedReordered = 0;
  let highest = -1;
  for (const seq of arrivals) {
    const expected: Observation = seen.has(seq) ? "duplicate" : seq < highest ? "reordered" : "new";
    if (expected === "duplicate") expectedDuplicates++;
    if (expected === "reordered") expectedReordered++;
    seen.add(seq);
    highest = Math.max(highest, seq);
    assert.equal(ledger.observe("s1", seq), expected, `seq ${seq}`);
  }
  assert.ok(
    expectedDuplicates > 0 && expectedReordered > 0,
    "input should exercise every case",
  );
  assert.deepEqual(ledger.totals(new Map([["s1", sentCount]])), {
    received: seen.size,
    duplicates: expectedDuplicates,
    reordered: expectedReordered,
    lost: sentCount - seen.size,
    sensors: 1,
  });
});
