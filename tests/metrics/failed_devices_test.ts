import assert from "node:assert/strict";
import { describeFailedDevices, FailedDevices } from "../../lib/metrics/failed_devices.ts";

Deno.test("FailedDevices counts each device once per category and keeps the first five names", () => {
  const failed = new FailedDevices();
  for (const name of ["dev-3", "dev-1", "dev-3", "dev-9", "dev-2", "dev-8", "dev-7"]) {
    failed.record("badCredentials", name);
  }
  failed.record("networkError", "dev-3");
  assert.deepEqual(failed.counts(), {
    badCredentials: { devices: 6, first: ["dev-3", "dev-1", "dev-9", "dev-2", "dev-8"] },
    networkError: { devices: 1, first: ["dev-3"] },
  });
  assert.equal(
    describeFailedDevices("badCredentials", failed.counts().badCredentials),
    "badCredentials: 6 devices refused: dev-3, dev-1, dev-9, dev-2, dev-8, ...",
  );
  assert.equal(
    describeFailedDevices("networkError", failed.counts().networkError),
    "networkError: 1 device failed to connect: dev-3",
  );
});

Deno.test("FailedDevices hands a worker's new devices on once, and merges them on the main thread", () => {
  const worker = new FailedDevices();
  worker.record("notAuthorized", "a");
  worker.record("notAuthorized", "b");
  const first = worker.takeNew();
  worker.record("notAuthorized", "a");
  worker.record("notAuthorized", "c");
  const second = worker.takeNew();
  assert.deepEqual([first, second, worker.takeNew()], [{ notAuthorized: ["a", "b"] }, {
    notAuthorized: ["c"],
  }, {}]);
  const main = new FailedDevices();
  main.merge(first);
  main.merge(second);
  assert.deepEqual(main.counts(), { notAuthorized: { devices: 3, first: ["a", "b", "c"] } });
  assert.deepEqual(main.takeNew(), {}, "merged devices are not handed on again");
});
