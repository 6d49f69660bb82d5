/**
 * The Kubernetes manifests of one sharded run: a ConfigMap with the scenario, an
 * Indexed Job whose pods are its shards (each reads its index from
 * `JOB_COMPLETION_INDEX`, every one waits for the same `--start-at` and publishes its
 * result to the broker), and a Job that collects and merges the results.
 *
 * @module
 */

import { stringify } from "yaml";
import type { ShardResources } from "./sizing.ts";

/** Everything the manifests are made from. */
export interface KubeRunPlan {
  /** Base name of the objects (a DNS label). */
  readonly name: string;
  /** Namespace of the objects; null leaves it to kubectl. */
  readonly namespace: string | null;
  /** Image with the compiled iotload as its entrypoint. */
  readonly image: string;
  /** The run's id, shared by every shard. */
  readonly runId: string;
  /** Shards (pods). */
  readonly shards: number;
  /** The start instant, RFC 3339. */
  readonly startAt: string;
  /** The scenario file, mounted from the ConfigMap; null when flags say everything. */
  readonly scenario: { readonly fileName: string; readonly text: string } | null;
  /** `iotload run` flags of every shard (no secret among them). */
  readonly runArgs: readonly string[];
  /** The existing Secret holding the broker password, or null. */
  readonly passwordSecret: { readonly name: string; readonly key: string } | null;
  /** The broker, which the merge collects the results from. */
  readonly brokerUrl: string;
  /** Further `iotload merge` flags (thresholds, the username, the protocol version). */
  readonly mergeArgs: readonly string[];
  /** How long the merge waits for every result, in seconds. */
  readonly mergeWaitSec: number;
  /** Longest a shard may take, start wait included, in seconds. */
  readonly shardDeadlineSec: number;
  /** Each shard's requests and limits. */
  readonly resources: ShardResources;
}

/** Where the scenario file is mounted in a shard's pod. */
const SCENARIO_DIR = "/etc/iotload";
/** How long finished Jobs stay for their logs, in seconds (a day). */
const KEEP_FINISHED_SEC = 86_400;

/** The manifests, in the order to apply them. */
export function kubeManifests(plan: KubeRunPlan): Record<string, unknown>[] {
  const labels = { "app.kubernetes.io/name": "iotload", "iotload.dev/run": plan.runId };
  const metadata = (name: string) => ({
    name,
    ...(plan.namespace === null ? {} : { namespace: plan.namespace }),
    labels,
  });
  const passwordEnv = plan.passwordSecret === null ? [] : [{
    name: "IOTLOAD_PASSWORD",
    valueFrom: { secretKeyRef: { name: plan.passwordSecret.name, key: plan.passwordSecret.key } },
  }];
  const configMapName = `${plan.name}-scenario`;
  const scenarioArgs = plan.scenario === null
    ? []
    : ["--scenario", `${SCENARIO_DIR}/${plan.scenario.fileName}`];
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(configMapName),
    data: plan.scenario === null ? {} : { [plan.scenario.fileName]: plan.scenario.text },
  };
  const shards = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata(plan.name),
    spec: {
      completionMode: "Indexed",
      completions: plan.shards,
      parallelism: plan.shards,
      // A shard that failed is not run again: its result would come from another start.
      backoffLimit: 0,
      activeDeadlineSeconds: plan.shardDeadlineSec,
      ttlSecondsAfterFinished: KEEP_FINISHED_SEC,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          // One shard per node where the cluster allows: each brings its own ports and cores.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: {
                  labelSelector: { matchLabels: { "iotload.dev/run": plan.runId } },
                  topologyKey: "kubernetes.io/hostname",
                },
              }],
            },
          },
          // A safe sysctl: every port above 1023 for outgoing connections (about 64,000
          // per source and broker address instead of about 28,000).
          securityContext: {
            sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }],
          },
          containers: [{
            name: "iotload",
            image: plan.image,
            args: [
              "run",
              ...scenarioArgs,
              ...plan.runArgs,
              "--run-id",
              plan.runId,
              "--start-at",
              plan.startAt,
              "--publish-result",
            ],
            env: [
              // With JOB_COMPLETION_INDEX, which Kubernetes sets, the pod's shard.
              { name: "IOTLOAD_SHARDS", value: String(plan.shards) },
              ...passwordEnv,
            ],
            resources: plan.resources,
            volumeMounts: [{ name: "scenario", mountPath: SCENARIO_DIR, readOnly: true }],
          }],
          volumes: [{ name: "scenario", configMap: { name: configMapName } }],
        },
      },
    },
  };
  const merge = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata(`${plan.name}-merge`),
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: plan.mergeWaitSec + 300,
      ttlSecondsAfterFinished: KEEP_FINISHED_SEC,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          containers: [{
            name: "merge",
            image: plan.image,
            args: [
              "merge",
              "--from",
              plan.brokerUrl,
              "--run",
              plan.runId,
              "--shards",
              String(plan.shards),
              "--wait",
              `${plan.mergeWaitSec}s`,
              ...plan.mergeArgs,
            ],
            env: passwordEnv,
            resources: {
              requests: { cpu: "100m", memory: "256Mi" },
              limits: { cpu: "1", memory: "1Gi" },
            },
          }],
        },
      },
    },
  };
  return [configMap, shards, merge];
}

/** The manifests as one YAML stream, after a comment that says how to use them. */
export function manifestsYaml(plan: KubeRunPlan, documents: readonly unknown[]): string {
  const header = [
    `# iotload run ${plan.runId}: ${plan.shards} shard(s) start at ${plan.startAt}.`,
    "# Apply before then: kubectl apply -f this.yaml",
    `# The merged summary: kubectl logs -f job/${plan.name}-merge`,
    "# Many connections need open files: the container runtime's nofile limit (often",
    "# 1,048,576; check with ulimit -n in a pod) must exceed sensors per shard + 64.",
  ].join("\n");
  return `${header}\n${
    documents.map((document) => `---\n${stringify(document, { aliasDuplicateObjects: false })}`)
      .join("")
  }`;
}
