import assert from "node:assert/strict";
import { RUN_FLAGS } from "../../lib/cli/run_flags.ts";
import { runMain } from "../helpers/run_main.ts";

/** Values no flag taking a number, duration, choice, URL, template or address accepts. */
const WRONG_VALUES: Readonly<Record<string, readonly string[]>> = {
  sensors: ["ten", "-5", "0", "100000001", "1.5"],
  interval: ["abc", "5", "0", "25h", "-1s"],
  duration: ["abc", "5", "8d"],
  qos: ["3", "-1", "one"],
  "protocol-version": ["3", "6", "five"],
  keepalive: ["-1", "65536", "abc"],
  topic: ["a/{nope}", "a/+/b", "a/#", "a/{id"],
  "client-id": ["same", "x-{bogus}"],
  "connect-rate": ["0", "fast", "-3"],
  "connect-concurrency": ["0", "many"],
  "connect-timeout": ["0", "soon"],
  "ack-timeout": ["0", "later"],
  "max-inflight": ["0", "65536"],
  seed: ["-1", "x", "4294967296"],
  "probe-connections": ["0", "1001"],
  drain: ["forever", "25h"],
  jitter: ["abc", "25h"],
  profile: ["toaster"],
  "payload-size": ["-1", "big"],
  "offline-buffer": ["-1", "100001"],
  workers: ["0", "many", "257"],
  bind: ["not-an-ip", "127.0.0.9-127.0.0.2", "10.0.0.1-"],
  url: ["ftp://x", "not a url", "mqtt://", "mqtt://u:s3cret@host:99999"],
  threshold: ["e2e.p99<abc", "nope>1", "lost=0", "e2e.p99<"],
  scenario: ["/nonexistent/fleet.yaml"],
  "payload-template": ['{"a":1', '{"a":{nope}}', '"a":1', '{"seq":1}', '{"m":{identity.model}}'],
  ca: ["/nonexistent/ca.pem"],
  out: ["/nonexistent-dir/summary.json"],
  timeline: ["/nonexistent-dir/run.ndjson", "run.txt", "/tmp"],
  html: ["/nonexistent-dir/report.html", "/tmp"],
  prometheus: ["abc", "99999", "127.0.0.1:", "[::1]"],
  "command-rate": ["-1", "fast", "100001"],
  "probe-cert": ["/nonexistent/probe.pem"],
  transport: ["tcp", "LEAN"],
  "probe-key": ["/nonexistent/probe.key"],
  shard: ["3/3", "1", "a/b", "0/0", "1/2"],
  "run-id": ["has space", "a/b", "x".repeat(33), "+"],
  "start-at": ["noon", "+2d", "2026-12-02"],
};

const STRING_FLAGS = RUN_FLAGS.filter((flag) => flag.type === "string");

Deno.test("every string flag of iotload run has bad values in the table", () => {
  const missing = STRING_FLAGS.map((flag) => flag.name).filter((name) =>
    !(name in WRONG_VALUES) &&
    !["username", "password", "cert", "key", "probe-username", "probe-password"].includes(name)
  );
  assert.deepEqual(missing, []);
});

for (const [name, values] of Object.entries(WRONG_VALUES)) {
  for (const value of values) {
    Deno.test(`iotload run --${name} ${JSON.stringify(value)} exits 2 naming the flag`, async () => {
      const args = name === "ca" ? ["--url", "mqtts://127.0.0.1:8883"] : [];
      const { code, stderr } = await runMain(["run", `--${name}`, value, ...args]);
      assert.equal(code, 2, stderr);
      const errors = stderr.split("\n").filter((line) => line.startsWith("error: "));
      assert.ok(errors.length >= 1, stderr);
      assert.ok(errors.some((line) => line.includes(`--${name}`)), stderr);
      assert.doesNotMatch(stderr, /\s+at .*\.ts:\d+/, "no stack trace");
      assert.ok(!stderr.includes("s3cret"), "secrets never appear in errors");
    });
  }
}

for (const flag of STRING_FLAGS) {
  Deno.test(`iotload run --${flag.name} with an empty value exits 2`, async () => {
    const { code, stderr } = await runMain(["run", `--${flag.name}=`]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, new RegExp(`^error: --${flag.name}: expected a value`));
  });
}

Deno.test("iotload run names a flag given twice", async () => {
  const { code, stderr } = await runMain(["run", "--qos", "1", "--qos", "2"]);
  assert.equal(code, 2);
  assert.match(stderr, /^error: --qos given more than once/);
});

Deno.test("iotload run reports a bad IOTLOAD_* variable by its name", async () => {
  const { code, stderr } = await runMain(["run"], { IOTLOAD_SENSORS: "lots" });
  assert.equal(code, 2);
  assert.match(stderr, /^error: IOTLOAD_SENSORS: expected a whole number, got "lots"/);
});

Deno.test("iotload run refuses IOTLOAD_JSON=off and warns about a mistyped IOTLOAD_* name", async () => {
  const { code, stderr } = await runMain(["run"], { IOTLOAD_JSON: "off", IOTLOAD_SENSOR: "5" });
  assert.equal(code, 2);
  assert.equal(
    stderr,
    "warning: IOTLOAD_SENSOR is not an iotload setting; did you mean IOTLOAD_SENSORS? (it is ignored)\n" +
      'error: IOTLOAD_JSON: "off" is not a boolean (use 1/0, true/false or yes/no)\n',
  );
});

Deno.test("an unexpected failure exits 70 with the stack, not 2", async () => {
  const { code, stderr } = await runMain(["--help"], {}, () => {
    throw new TypeError("a bug");
  });
  assert.equal(code, 70);
  assert.match(stderr, /^error: unexpected failure \(please report it\)\nTypeError: a bug\n\s+at /);
});

Deno.test("iotload run reports every malformed threshold, each named by where it came from", async () => {
  const { code, stderr } = await runMain(["run", "--threshold", "x<1", "--threshold", "lost==0"], {
    IOTLOAD_THRESHOLD: "e2e.p99<abc;bogus>1",
  });
  assert.equal(code, 2);
  const errors = stderr.split("\n").filter((line) => line.startsWith("error: "));
  assert.equal(errors.length, 3, stderr);
  assert.match(errors[0], /^error: IOTLOAD_THRESHOLD "e2e\.p99<abc": /);
  assert.match(errors[1], /^error: IOTLOAD_THRESHOLD "bogus>1": unknown metric/);
  assert.match(errors[2], /^error: --threshold "x<1": unknown metric/);
});

Deno.test("iotload run checks a --sensors below a staged scenario's target, as validate does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iotload-staged-" });
  try {
    const file = `${dir}/staged.yaml`;
    await Deno.writeTextFile(
      file,
      "fleets: [{ count: 10 }]\nstages: [{ duration: 1s, target: 10 }]\n",
    );
    const { code, stderr } = await runMain(["run", "--scenario", file, "--sensors", "5"]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^error: stages\[0\]\.target: expected at most the 5 sensors of all fleets, got 10/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
