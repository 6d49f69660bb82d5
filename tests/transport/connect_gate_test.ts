import assert from "node:assert/strict";
import { ManualClock } from "../../lib/engine/clock.ts";
import { ConnectGate } from "../../lib/transport/connect_gate.ts";

/** A gate plus a record of grants: the order they came in and when. */
function gateWith(ratePerSec: number, concurrency: number) {
  const clock = new ManualClock(1_000);
  const gate = new ConnectGate({ ratePerSec, concurrency, clock });
  const granted: number[] = [];
  const grantedAtMs: number[] = [];
  let nextId = 0;
  const request = (count: number): void => {
    for (let i = 0; i < count; i++) {
      const id = nextId++;
      gate.acquire(() => {
        granted.push(id);
        grantedAtMs.push(clock.nowMs());
      });
    }
  };
  return { clock, gate, granted, grantedAtMs, request };
}

Deno.test("ConnectGate.acquire() grants at once while under the rate and concurrency", () => {
  const { gate, granted, request } = gateWith(1_000, 100);
  // A burst of 1% of the rate (10) may start without waiting.
  request(10);
  assert.equal(granted.length, 10);
  assert.equal(gate.inFlight, 10);
  assert.equal(gate.waiting, 0);
});

Deno.test("ConnectGate paces starts at ratePerSec: about 100 per simulated second at 100/s", () => {
  const { clock, gate, granted, request } = gateWith(100, 10_000);
  request(1_000);
  assert.equal(granted.length, 1);
  clock.advanceMs(1_000);
  assert.ok(granted.length >= 99 && granted.length <= 102, `after 1 s: ${granted.length}`);
  clock.advanceMs(1_000);
  assert.ok(granted.length >= 199 && granted.length <= 202, `after 2 s: ${granted.length}`);
  clock.advanceMs(500);
  assert.ok(granted.length >= 249 && granted.length <= 252, `after 2.5 s: ${granted.length}`);
  assert.equal(gate.inFlight, granted.length);
  assert.equal(gate.waiting, 1_000 - granted.length);
});

Deno.test("ConnectGate spreads starts evenly within a second instead of bursting", () => {
  const { clock, grantedAtMs, request } = gateWith(1_000, 10_000);
  request(5_000);
  clock.advanceMs(1_000);
  // Count grants per 100 ms slice of the first second: each slice gets about 100.
  const slices = new Array(10).fill(0);
  for (const atMs of grantedAtMs) {
    const slice = Math.min(9, Math.floor((atMs - 1_000) / 100));
    slices[slice]++;
  }
  for (const [index, count] of slices.entries()) {
    assert.ok(count >= 90 && count <= 120, `slice ${index}: ${count} (${slices})`);
  }
});

Deno.test("ConnectGate never has more than concurrency attempts in flight", () => {
  const { clock, gate, granted, request } = gateWith(1_000, 5);
  request(50);
  assert.equal(granted.length, 5);
  clock.advanceMs(10_000);
  // Time alone frees no slot: only release() does.
  assert.equal(granted.length, 5);
  assert.equal(gate.inFlight, 5);
  assert.equal(gate.waiting, 45);
  let released = 0;
  while (released < 50) {
    gate.release();
    released++;
    clock.advanceMs(3);
    assert.ok(gate.inFlight <= 5, `in flight ${gate.inFlight}`);
    assert.equal(gate.inFlight, Math.min(5, 50 - released));
  }
  assert.equal(granted.length, 50);
  assert.equal(gate.waiting, 0);
});

Deno.test("ConnectGate.release() lets the next waiter start", () => {
  const { gate, granted, request } = gateWith(1_000, 2);
  request(4);
  assert.deepEqual(granted, [0, 1]);
  gate.release();
  assert.deepEqual(granted, [0, 1, 2]);
  assert.equal(gate.inFlight, 2);
  assert.equal(gate.waiting, 1);
  gate.release();
  gate.release();
  assert.deepEqual(granted, [0, 1, 2, 3]);
  assert.equal(gate.inFlight, 1);
});

Deno.test("ConnectGate.release() waits for the rate when no start is left in the second", () => {
  const { clock, gate, granted, request } = gateWith(100, 1);
  request(3);
  assert.equal(granted.length, 1);
  gate.release();
  // The one-start burst is spent: the next start is due 10 ms later.
  assert.equal(granted.length, 1);
  clock.advanceMs(9);
  assert.equal(granted.length, 1);
  clock.advanceMs(1);
  assert.equal(granted.length, 2);
  assert.equal(gate.inFlight, 1);
});

Deno.test("ConnectGate grants in first-come first-served order", () => {
  const { clock, gate, granted, request } = gateWith(50, 3);
  request(40);
  for (let i = 0; i < 200 && granted.length < 40; i++) {
    clock.advanceMs(7);
    if (gate.inFlight > 0) gate.release();
  }
  assert.deepEqual(granted, Array.from({ length: 40 }, (_, i) => i));
});

Deno.test("ConnectGate.close() drops every waiter and stops its timer", () => {
  const { clock, gate, granted, request } = gateWith(100, 1_000);
  request(20);
  assert.equal(granted.length, 1);
  assert.equal(clock.pendingTimers, 1);
  gate.close();
  assert.equal(gate.waiting, 0);
  assert.equal(clock.pendingTimers, 0);
  clock.advanceMs(5_000);
  gate.release();
  assert.equal(granted.length, 1);
});

Deno.test("ConnectGate works again after close() for new waiters", () => {
  const { clock, gate, granted, request } = gateWith(100, 1_000);
  request(5);
  gate.close();
  const late: number[] = [];
  gate.acquire(() => late.push(clock.nowMs()));
  clock.advanceMs(1_000);
  assert.equal(late.length, 1);
  assert.equal(granted.length, 1);
});

Deno.test("ConnectGate handles a release() from inside a grant callback", () => {
  const clock = new ManualClock();
  const gate = new ConnectGate({ ratePerSec: 1_000, concurrency: 1, clock });
  const order: number[] = [];
  for (let id = 0; id < 5; id++) {
    gate.acquire(() => {
      order.push(id);
      // The attempt fails at once (e.g. a synchronous socket error).
      gate.release();
    });
  }
  clock.advanceMs(100);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.equal(gate.inFlight, 0);
  assert.equal(gate.waiting, 0);
});

Deno.test("ConnectGate.hold() sends deferrable waiters back and grants nothing until released", () => {
  const clock = new ManualClock(1_000);
  const gate = new ConnectGate({ ratePerSec: 1, concurrency: 1, clock });
  const events: string[] = [];
  gate.acquire(() => events.push("a granted"));
  gate.acquire(() => events.push("b granted"), () => events.push("b deferred"));
  gate.acquire(() => events.push("c granted"));
  gate.hold(true);
  gate.acquire(() => events.push("d granted"), () => events.push("d deferred"));
  gate.release();
  clock.advanceMs(5_000);
  assert.deepEqual(events, ["a granted", "b deferred", "d deferred"]);
  assert.equal(gate.waiting, 1, "c, which cannot wait elsewhere, keeps its place");
  gate.hold(false);
  assert.deepEqual(events.at(-1), "c granted");
});
