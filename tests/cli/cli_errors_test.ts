import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";

Deno.test("iotload --help and run --help exit 0 and list the flags", async () => {
  const main = await runCli(["--help"]);
  assert.equal(main.code, 0);
  assert.match(main.stdout, /iotload run/);
  const run = await runCli(["run", "--help"]);
  assert.equal(run.code, 0);
  for (
    const flag of ["--url", "--sensors", "--interval", "--duration", "--qos", "--connect-rate"]
  ) {
    assert.ok(run.stdout.includes(flag), `help lists ${flag}`);
  }
  assert.match(run.stdout, /default: 10000/);
});

const BAD_INPUT: readonly { args: string[]; error: RegExp }[] = [
  { args: ["run", "--bogus"], error: /unknown flag --bogus/ },
  { args: ["run", "--sensors", "0"], error: /--sensors: expected 1 to 100000000, got 0/ },
  {
    args: ["run", "--sensors", "1000001", "--url", "mqtt://127.0.0.1:1"],
    error:
      /fleets: 1000001 sensors for this process; at most 1,000,000 per process \(run it as --shard I\/2 or more\)/,
  },
  {
    args: ["run", "--shard", "1/3", "--run-id", "r1"],
    error: /--shard 1\/3: the shards of a run share one broker; give --url/,
  },
  {
    args: ["run", "--shard", "1/3", "--url", "mqtt://127.0.0.1:1"],
    error: /--shard 1\/3: the shards of a run need the same --run-id on every shard/,
  },
  { args: ["run", "--start-at", "noon"], error: /--start-at: expected an RFC 3339 time like/ },
  { args: ["run", "--publish-result"], error: /--publish-result: needs --url/ },
  { args: ["run", "--sensors", "ten"], error: /--sensors: expected a whole number/ },
  { args: ["run", "--interval", "abc"], error: /--interval: expected a duration/ },
  { args: ["run", "--qos", "3"], error: /--qos: expected one of 0, 1, 2, got "3"/ },
  { args: ["run", "--url", "ftp://x"], error: /--url: unsupported scheme "ftp"/ },
  { args: ["run", "--url", "not a url"], error: /--url: expected a broker URL/ },
  { args: ["run", "--protocol-version", "3"], error: /--protocol-version: expected one of 4, 5/ },
  { args: ["run", "--topic", "a/{nope}"], error: /--topic: unknown placeholder \{nope\}/ },
  { args: ["run", "--client-id", "same"], error: /--client-id: .*same client id/ },
  { args: ["run", "--sensors"], error: /--sensors expects a value/ },
  { args: ["run", "--sensors="], error: /--sensors: expected a value, got an empty string/ },
  { args: ["run", "-c", "1", "-c", "2"], error: /--sensors given more than once/ },
  { args: ["run", "--threshold", "e2e.p99<abc"], error: /--threshold "e2e.p99<abc"/ },
  {
    args: ["run", "--ca", "/nonexistent.pem", "--url", "mqtts://127.0.0.1:1"],
    error: /--ca: cannot read/,
  },
  { args: ["run", "--out", "/nonexistent-dir/summary.json"], error: /--out: cannot write/ },
  { args: ["run", "--out", "/tmp"], error: /--out: cannot write "\/tmp": it is a directory/ },
  {
    args: ["run", "--out", "/dev/null"],
    error: /--out: cannot write "\/dev\/null": it is not a regular file/,
  },
  { args: ["frobnicate"], error: /unknown command "frobnicate"/ },
  // What MQTT limits (MQTT-1.5.4, MQTT-4.7.2-1), checked before anything connects.
  {
    args: ["run", "--topic", `${"t".repeat(70_000)}/{id}`],
    error: /--topic: 70,00\d bytes; MQTT strings take at most 65,535/,
  },
  { args: ["run", "--topic", "$SYS/{id}"], error: /--topic: "\$SYS\/\{id\}" starts with "\$"/ },
  { args: ["run", "--username", "u".repeat(65_536)], error: /--username: 65,536 bytes/ },
  { args: ["run", "--url", "mqtt://127.0.0.1:0"], error: /--url: port 0 .* 1 to 65535/ },
  {
    args: ["run", "--url", "mqtt://u:p%zz@127.0.0.1:1883"],
    error:
      /--url: the password in "mqtt:\/\/u:\*\*\*@127\.0\.0\.1:1883" holds a malformed percent-escape/,
  },
  {
    args: ["run", "--url", "mqtt://[::1]:1883", "--bind", "127.0.0.2"],
    error: /--bind: 127\.0\.0\.2 is an IPv4 address; the broker ::1 is IPv6/,
  },
];

for (const { args, error } of BAD_INPUT) {
  Deno.test(`iotload ${args.join(" ")} exits 2 with one clear error line`, async () => {
    const result = await runCli(args);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, error);
    assert.match(result.stderr, /^error: /);
    assert.doesNotMatch(result.stderr, /\s+at .*\.ts:\d+/, "no stack trace");
    assert.equal(result.stdout, "");
  });
}

Deno.test("iotload run reports every configuration problem at once", async () => {
  const result = await runCli(["run", "--sensors", "0", "--qos", "7", "--interval", "fast"]);
  assert.equal(result.code, 2);
  const errors = result.stderr.split("\n").filter((line) => line.startsWith("error: "));
  assert.equal(errors.length, 3, result.stderr);
});

Deno.test("iotload --help and run --help fit 80 columns", async () => {
  for (const args of [["--help"], ["run", "--help"]]) {
    const result = await runCli(args);
    for (const line of result.stdout.split("\n")) {
      assert.ok(line.length <= 80, `${args.join(" ")}: ${line.length} columns: ${line}`);
    }
  }
});
