import assert from "node:assert/strict";
import { createIdentity } from "../../lib/fleet/identity.ts";

Deno.test("createIdentity() gives the same identity for the same seed and index", () => {
  const first = createIdentity(42, 17);
  createIdentity(42, 18);
  createIdentity(7, 17);
  assert.deepEqual(createIdentity(42, 17), first);
});

Deno.test("createIdentity() gives different identities for different seeds", () => {
  const a = createIdentity(42, 17);
  const b = createIdentity(43, 17);
  assert.notEqual(a.deviceId, b.deviceId);
  assert.notDeepEqual(a, b);
  // Seeds taken from a clock differ only above 32 bits.
  assert.notEqual(
    createIdentity(2 ** 32 + 42, 17).deviceId,
    createIdentity(42, 17).deviceId,
  );
});

Deno.test("createIdentity() gives different identities for different indexes", () => {
  const deviceIds = new Set<string>();
  for (let index = 0; index < 2_000; index++) {
    deviceIds.add(createIdentity(42, index).deviceId);
  }
  assert.equal(deviceIds.size, 2_000);
  assert.notDeepEqual(createIdentity(42, 0), createIdentity(42, 1));
});

Deno.test("createIdentity() fills every field in its documented format", () => {
  for (let index = 0; index < 200; index++) {
    const identity = createIdentity(1, index);
    assert.match(identity.deviceId, /^[0-9A-F]{16}$/);
    assert.match(identity.model, /^[A-Z]{2}-[1-9]00$/);
    assert.ok(identity.manufacturer.length > 0);
    assert.match(identity.firmware, /^\d+\.\d+\.\d+$/);
    const { city, lat, lon } = identity.location;
    assert.ok(city.length > 0);
    assert.ok(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180);
    assert.equal(Math.round(lat * 10_000) / 10_000, lat);
    assert.equal(Math.round(lon * 10_000) / 10_000, lon);
  }
});
