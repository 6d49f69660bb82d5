import { basename } from "node:path";
import { applyOverrides } from "../config/apply_overrides.ts";
import { isPerSensor } from "../config/credential_template.ts";
import { parseDurationMs } from "../config/duration.ts";
import { overridesFromEnv } from "../config/env_overrides.ts";
import { DEFAULT_SCENARIO, type Scenario } from "../config/scenario.ts";
import { loadScenarioFile } from "../config/scenario_file.ts";
import { MAX_SHARDS, shardSensorCount, shardTargetRatePerSec } from "../config/shard.ts";
import { startEpochMs } from "../config/start_at.ts";
import { UsageError } from "../config/usage_error.ts";
import { readUserTextFile } from "../config/user_file.ts";
import { runProblems } from "../engine/run_checks.ts";
import { transportFor } from "../engine/transport_choice.ts";
import { kubeManifests, manifestsYaml } from "../kube/manifests.ts";
import { shardResources } from "../kube/sizing.ts";
import { checkWritable, writeFileAtomic } from "../report/summary_file.ts";
import { EXIT } from "./exit_codes.ts";
import { parseFlags, splitFlags } from "./flag_parser.ts";
import { RUN_FLAG_SPECS } from "./run_flags.ts";
import type { TerminalIo } from "./terminal_io.ts";

/** The flags of `iotload kube` itself; every other flag is a run flag of the shards. */
const KUBE_FLAGS = {
  shards: { type: "string" },
  image: { type: "string" },
  namespace: { type: "string" },
  name: { type: "string" },
  "password-secret": { type: "string" },
  lead: { type: "string" },
  "manifests-out": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const KUBE_HELP = `Usage: iotload kube --shards N --image IMAGE [flags] [run flags...]

Prints the Kubernetes manifests of one run split into N shards: a ConfigMap with the
scenario file, an Indexed Job of N pods (each a shard: JOB_COMPLETION_INDEX and
IOTLOAD_SHARDS, one --run-id, one --start-at, results published to the broker;
requests and limits from the sizing model; spread over nodes), and a merge Job that
collects the results and prints the merged summary. Run flags are checked as
iotload run checks them. Passwords never enter a manifest: give a Secret.

Flags:
  --shards N              shards (pods) of the run
  --image IMAGE           image with iotload as its entrypoint (see Containerfile)
  --namespace NS          namespace of every object (default: kubectl's)
  --name NAME             base name of the objects (default: iotload-<run id>)
  --password-secret NAME[:KEY]
                          existing Secret with the broker password (key: password)
  --lead DURATION         start this long after now, for the pods to be scheduled
                          (default: 2m; a --start-at run flag fixes the time instead)
  --manifests-out FILE    write the manifests to FILE instead of stdout
  -h, --help              show this help
`;

/** Default time between making the manifests and the run's start, in ms. */
const DEFAULT_LEAD_MS = 2 * 60_000;
/** Time added to the merge's wait beyond the run's planned end, in s. */
const MERGE_MARGIN_SEC = 120;

/** `iotload kube`: prints (or writes) the manifests; exit 2 on any problem. */
export async function kubeCommand(argv: readonly string[], io: TerminalIo): Promise<number> {
  const { taken: kubeArgs, rest: runArgs } = splitFlags(argv, KUBE_FLAGS, () => true);
  const { values } = parseFlags(kubeArgs, KUBE_FLAGS);
  if (values.help === true) {
    io.stdout.write(KUBE_HELP);
    return EXIT.OK;
  }
  const shards = Number(values.shards);
  if (typeof values.shards !== "string" || !/^\d+$/.test(values.shards) || shards < 1) {
    throw new UsageError(
      `--shards: expected 1 to ${MAX_SHARDS}`,
      "iotload kube --shards 3 --image IMAGE --url mqtt://broker:1883",
    );
  }
  if (shards > MAX_SHARDS) {
    throw new UsageError(`--shards: expected 1 to ${MAX_SHARDS}, got ${shards}`);
  }
  if (typeof values.image !== "string" || values.image === "") {
    throw new UsageError("--image: give the image to run (built from the Containerfile)");
  }
  const secret = parseSecret(values["password-secret"]);
  const run = parseFlags(runArgs, RUN_FLAG_SPECS);
  for (const refused of ["password", "shard", "probe-password"]) {
    if (run.values[refused] !== undefined) {
      throw new UsageError(
        refused === "shard"
          ? "--shard: iotload kube gives every pod its shard"
          : `--${refused}: iotload kube never writes a password into a manifest`,
        "kubectl create secret generic iotload-broker --from-literal=password=... and give --password-secret iotload-broker",
      );
    }
  }
  const runId = typeof run.values["run-id"] === "string"
    ? run.values["run-id"]
    : crypto.randomUUID().replaceAll("-", "").slice(0, 8);
  const scenarioPath = typeof run.values.scenario === "string" ? run.values.scenario : undefined;
  const base = scenarioPath === undefined
    ? DEFAULT_SCENARIO
    : await loadScenarioFile(scenarioPath, io.env);
  const scenario = applyOverrides(base, [
    { values: overridesFromEnv(io.env), source: "env" },
    { values: { ...run.values, shard: `0/${shards}`, "run-id": runId }, source: "flag" },
  ]);
  const problems = runProblems(scenario);
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  if (scenario.password !== undefined && secret === null) {
    throw new UsageError(
      "the broker password would go into the manifests: give it as a Secret",
      "kubectl create secret generic iotload-broker --from-literal=password=... and give --password-secret iotload-broker",
    );
  }
  if (scenario.durationMs === 0 && scenario.stages.length === 0) {
    throw new UsageError("--duration: a sharded run needs an end for its merge: give --duration");
  }
  const leadMs = typeof values.lead === "string"
    ? parseDurationMs(values.lead, "--lead")
    : DEFAULT_LEAD_MS;
  const nowMs = Date.now();
  const startMs = scenario.startAt === null
    ? nowMs + leadMs
    : startEpochMs(scenario.startAt, nowMs);
  const startAt = new Date(startMs).toISOString();
  // From now to the run's planned end, with a margin: how long the merge waits, and
  // how long a shard may take.
  const untilEndSec = Math.ceil(
    (startMs - nowMs + runLengthMs(scenario, shards)) / 1000 + MERGE_MARGIN_SEC,
  );
  const plan = {
    name: typeof values.name === "string" ? values.name : `iotload-${runId.toLowerCase()}`,
    namespace: typeof values.namespace === "string" ? values.namespace : null,
    image: values.image,
    runId,
    shards,
    startAt,
    scenario: scenarioPath === undefined ? null : {
      fileName: basename(scenarioPath),
      text: await readUserTextFile(scenarioPath, 16 * 1024 * 1024),
    },
    runArgs: splitFlags(runArgs, RUN_FLAG_SPECS, (name) => SET_BY_KUBE.has(name)).rest,
    passwordSecret: secret,
    brokerUrl: scenario.url!,
    mergeArgs: mergeArgsFor(scenario),
    mergeWaitSec: untilEndSec,
    shardDeadlineSec: untilEndSec,
    resources: shardResources(
      shardSensorCount(scenario),
      shardTargetRatePerSec(scenario),
      scenario.fleets.every((fleet) => transportFor(fleet, scenario) === "lean")
        ? "lean"
        : "mqttjs",
    ),
  };
  const yaml = manifestsYaml(plan, kubeManifests(plan));
  if (typeof values["manifests-out"] === "string") {
    checkWritable(values["manifests-out"], "--manifests-out");
    writeFileAtomic(values["manifests-out"], yaml);
    io.stderr.write(
      `note: wrote the manifests of run ${runId} (${shards} shards, start ${startAt})\n`,
    );
  } else {
    io.stdout.write(yaml);
  }
  return EXIT.OK;
}

/** Run flags the pods do not take as given: the scenario comes from the ConfigMap, the rest from kube. */
const SET_BY_KUBE = new Set(["scenario", "run-id", "start-at", "publish-result"]);

/** The merge's flags: the broker's username and version, and the run's thresholds. */
function mergeArgsFor(scenario: Scenario): string[] {
  const username = scenario.probeUsername ??
    (scenario.username === undefined || isPerSensor(scenario.username)
      ? undefined
      : scenario.username);
  return [
    ...(username === undefined ? [] : ["--username", username]),
    "--protocol-version",
    String(scenario.protocolVersion),
    ...scenario.thresholds.flatMap((threshold) => ["--threshold", threshold.expression]),
  ];
}

/** How long the run takes from its start: ramp-up, hold (or stages), drain, in ms. */
function runLengthMs(scenario: Scenario, shards: number): number {
  const sensorsPerShard = shardSensorCount(scenario);
  const rampMs = (sensorsPerShard / (scenario.connectRatePerSec / shards)) * 1000;
  const holdMs = scenario.stages.length > 0
    ? scenario.stages.reduce((sum, stage) => sum + stage.durationMs, 0)
    : scenario.durationMs;
  return rampMs + holdMs + scenario.drainMs + scenario.connectTimeoutMs;
}

/** `NAME[:KEY]` of an existing Secret (key `password` by default), or null. */
function parseSecret(value: unknown): { name: string; key: string } | null {
  if (value === undefined) return null;
  const match = typeof value === "string"
    ? /^([a-z0-9][a-z0-9.-]*)(?::([A-Za-z0-9._-]+))?$/.exec(value)
    : null;
  if (match === null) {
    throw new UsageError(
      `--password-secret: expected NAME or NAME:KEY of a Secret, got ${JSON.stringify(value)}`,
    );
  }
  return { name: match[1], key: match[2] ?? "password" };
}
