import assert from "node:assert/strict";
import { InflightWindow } from "../../lib/transport/inflight_window.ts";

Deno.test("InflightWindow holds at most its capacity and frees a place on settle", () => {
  const window = new InflightWindow(2);
  const first = window.open(100);
  const second = window.open(200);
  assert.notEqual(first, null);
  assert.equal(window.open(300), null, "full");
  assert.equal(window.settle(first!), 100);
  assert.equal(window.settle(first!), undefined, "a late second acknowledgement counts nothing");
  assert.notEqual(window.open(300), null);
  assert.equal(window.size, 2);
  assert.equal(window.settle(second!), 200);
});

Deno.test("InflightWindow fails what passed its deadline, then everything on takeAll()", () => {
  const window = new InflightWindow(10);
  for (const intendedMs of [0, 500, 1_000]) window.open(intendedMs);
  assert.equal(window.expire(1_600, 1_000), 2, "intended at 0 and 500 ms");
  assert.equal(window.size, 1);
  assert.equal(window.takeAll(), 1);
  assert.equal(window.size, 0);
  assert.equal(window.expire(10_000, 1), 0);
});
