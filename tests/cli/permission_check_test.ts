import assert from "node:assert/strict";
import { permissionProblems } from "../../lib/cli/permission_check.ts";
import { DEFAULT_SCENARIO } from "../../lib/config/scenario.ts";

const DENY_ALL = () => "denied" as const;

Deno.test("permissionProblems() is empty when everything is granted", () => {
  const scenario = { ...DEFAULT_SCENARIO, outPath: "/tmp/x.json" };
  assert.deepEqual(permissionProblems(scenario, () => "granted"), []);
});

Deno.test("permissionProblems() names the broker's host and --out, with the flag each needs", () => {
  const asked: Deno.PermissionDescriptor[] = [];
  const problems = permissionProblems(
    { ...DEFAULT_SCENARIO, url: "mqtts://[::1]:8883", outPath: "out.json" },
    (descriptor) => {
      asked.push(descriptor);
      return DENY_ALL();
    },
  );
  assert.deepEqual(asked, [{ name: "net", host: "::1" }, { name: "write", path: "out.json" }]);
  assert.deepEqual(problems, [
    "not permitted: network access to ::1 needs --allow-net",
    'not permitted: --out "out.json" needs --allow-write',
  ]);
});

Deno.test("permissionProblems() asks for loopback when the embedded broker will listen", () => {
  const problems = permissionProblems({ ...DEFAULT_SCENARIO, url: null }, DENY_ALL);
  assert.deepEqual(problems, ["not permitted: network access to 127.0.0.1 needs --allow-net"]);
});
