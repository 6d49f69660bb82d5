import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Job } from "kubernetes-models/batch/v1/Job";
import { parseAllDocuments } from "yaml";
import { splitFlags } from "../../lib/cli/flag_parser.ts";
import { runMain } from "../helpers/run_main.ts";
import denoJson from "../../deno.json" with { type: "json" };

/** `iotload kube ARGS` in this process. */
function kube(argv: readonly string[], env: Record<string, string> = {}) {
  return runMain(["kube", ...argv], env);
}

// deno-lint-ignore no-explicit-any
type Manifest = Record<string, any>;

function manifestsOf(yaml: string): Manifest[] {
  return parseAllDocuments(yaml).map((document) => document.toJSON() as Manifest);
}

/** Validates each manifest against the Kubernetes schema of its kind (throws if invalid). */
function validate(manifest: Manifest): void {
  if (manifest.kind === "ConfigMap") new ConfigMap(manifest).validate();
  else if (manifest.kind === "Job") new Job(manifest).validate();
  else throw new Error(`unexpected kind ${manifest.kind}`);
}

Deno.test("iotload kube prints a ConfigMap, an Indexed Job of N shards and a merge Job, all valid", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iotload-kube-" });
  try {
    const scenarioPath = join(dir, "fleet.yaml");
    await Deno.writeTextFile(
      scenarioPath,
      "fleets:\n  - count: 30000\n    interval: 5s\n    qos: 1\nrun:\n  duration: 10m\n  connectRate: 3000\nthresholds:\n  - lost==0\n",
    );
    const result = await kube([
      "--shards",
      "3",
      "--image",
      "registry.example/iotload:1.0",
      "--namespace",
      "load",
      "--password-secret",
      "broker:pw",
      "--scenario",
      scenarioPath,
      "--url",
      "mqtt://broker.load.svc:1883",
      "-u",
      "tester",
      "--run-id",
      "abc12345",
      "--start-at",
      "2030-01-01T00:00:00Z",
    ], { IOTLOAD_PASSWORD: "s3cret" });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes("s3cret"), "the password never enters a manifest");
    const manifests = manifestsOf(result.stdout);
    assert.deepEqual(manifests.map((m) => m.kind), ["ConfigMap", "Job", "Job"]);
    for (const manifest of manifests) validate(manifest);
    const [configMap, shards, merge] = manifests;
    assert.equal(configMap.data["fleet.yaml"], await Deno.readTextFile(scenarioPath));
    assert.equal(configMap.metadata.namespace, "load");
    // The shard arithmetic: N pods, each its own index, none retried.
    assert.equal(shards.spec.completionMode, "Indexed");
    assert.equal(shards.spec.completions, 3);
    assert.equal(shards.spec.parallelism, 3);
    assert.equal(shards.spec.backoffLimit, 0);
    const pod = shards.spec.template.spec;
    const container = pod.containers[0];
    assert.deepEqual(container.env[0], { name: "IOTLOAD_SHARDS", value: "3" });
    assert.deepEqual(container.env[1].valueFrom, { secretKeyRef: { name: "broker", key: "pw" } });
    assert.deepEqual(container.args.slice(0, 3), ["run", "--scenario", "/etc/iotload/fleet.yaml"]);
    const flag = (name: string) => container.args[container.args.indexOf(name) + 1];
    assert.equal(flag("--run-id"), "abc12345");
    assert.equal(flag("--start-at"), "2030-01-01T00:00:00.000Z");
    assert.ok(container.args.includes("--publish-result"));
    // 10,000 sensors per shard at 2,000 msg/s: 120 MiB + 10,000 × 18 KiB, and
    // 0.1 + 10,000 × 10 us + 2,000 × 20 us cores.
    assert.deepEqual(container.resources.requests, { cpu: "250m", memory: "304Mi" });
    assert.deepEqual(container.resources.limits, { cpu: "500m", memory: "448Mi" });
    assert.ok(pod.affinity.podAntiAffinity);
    const mergeArgs: string[] = merge.spec.template.spec.containers[0].args;
    assert.deepEqual(mergeArgs.slice(0, 7), [
      "merge",
      "--from",
      "mqtt://broker.load.svc:1883",
      "--run",
      "abc12345",
      "--shards",
      "3",
    ]);
    assert.ok(mergeArgs.includes("lost==0"));
    assert.equal(mergeArgs[mergeArgs.indexOf("--username") + 1], "tester");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("iotload kube checks the run flags as a run does and never inlines a password", async () => {
  const base = ["--shards", "2", "--image", "i", "--url", "mqtt://b:1883"];
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--image", "i", "--url", "mqtt://b:1883"], {}, /--shards: expected 1 to 10000/],
    [["--shards", "2", "--url", "mqtt://b:1883"], {}, /--image: give the image/],
    [[...base, "--password", "s3cret"], {}, /--password: iotload kube never writes a password/],
    [[...base], { IOTLOAD_PASSWORD: "s3cret" }, /the broker password would go into the manifests/],
    [[...base, "--qos", "7"], {}, /--qos: expected one of 0, 1, 2/],
    [["--shards", "2", "--image", "i"], {}, /share one broker; give --url/],
    [[...base, "-d", "0"], {}, /a sharded run needs an end/],
    [[...base, "--shard", "0/2"], {}, /iotload kube gives every pod its shard/],
  ];
  for (const [argv, env, error] of cases) {
    const result = await kube(argv, env);
    assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, error);
    assert.ok(!result.stderr.includes("s3cret"));
    assert.equal(result.stdout, "");
  }
});

Deno.test("the Containerfile compiles with the flags of deno task compile", async () => {
  const containerfile = await Deno.readTextFile(new URL("../../Containerfile", import.meta.url));
  const compile = denoJson.tasks.compile.command.replace(/--output \S+ /, "");
  const line = containerfile.split("\n").find((row) => row.startsWith("RUN deno compile"));
  assert.equal(line?.replace("RUN ", "").replace(/--output \S+ /, ""), compile);
});

Deno.test("splitFlags takes the flags it is asked for, with their values, in every spelling", () => {
  const specs = {
    scenario: { type: "string", short: "s" },
    "run-id": { type: "string" },
    json: { type: "boolean" },
  } as const;
  const { taken, rest } = splitFlags(
    ["-s", "a.yaml", "--url", "mqtt://b", "--run-id=r1", "--json", "--scenario", "b.yaml"],
    specs,
    (name) => name !== "json",
  );
  assert.deepEqual(taken, ["-s", "a.yaml", "--run-id=r1", "--scenario", "b.yaml"]);
  assert.deepEqual(rest, ["--url", "mqtt://b", "--json"]);
});
