/**
 * The settings of the settings table (`scenario_fields.ts`) that belong to the machine
 * and the run, not to the scenario: source addresses, where results go, the shard, its
 * run id and start. Only flags and `IOTLOAD_*` variables give them, never a file, and
 * the scenario's hash leaves them out.
 *
 * @module
 */

import type { Field } from "./field_types.ts";
import type { Scenario } from "./scenario.ts";
import { parseShard } from "./shard.ts";
import { parseStartAt } from "./start_at.ts";

/** The `local` group's fields. */
export const LOCAL_FIELDS: readonly Field<Scenario>[] = [
  {
    key: "shard",
    target: "shard",
    flag: { name: "shard", value: "I/N" },
    type: { kind: "string", check: parseShard },
    defaultText: "none; JOB_COMPLETION_INDEX/IOTLOAD_SHARDS when both are set",
    description: "Drive shard I of N (0-based) of the run: slice I of every fleet, 1/N of " +
      "its connect rate, command rate and stage targets.",
  },
  {
    key: "runId",
    target: "runId",
    flag: { name: "run-id", value: "ID" },
    type: {
      kind: "string",
      pattern: /^[A-Za-z0-9_-]{1,32}$/,
      patternHint: "1 to 32 letters, digits, _ or -",
    },
    defaultText: "a new one per run",
    description: "The run's id, in every message: the same on every shard of one run.",
  },
  {
    key: "startAt",
    target: "startAt",
    flag: { name: "start-at", value: "TIME" },
    type: { kind: "string", check: parseStartAt },
    defaultText: "at once",
    description: "Wait, then begin at TIME (RFC 3339, or +30s from now), so shards start " +
      "together.",
  },
  {
    key: "publishResult",
    target: "publishResult",
    flag: { name: "publish-result" },
    type: { kind: "boolean" },
    description: "Publish the JSON summary (QoS 1, retained) to " +
      "iotload/runs/<run id>/results/<shard> on the broker, for iotload merge --from.",
  },
  {
    key: "bind",
    target: "bindAddresses",
    flag: { name: "bind" },
    type: { kind: "addresses" },
    defaultText: "the system's choice",
    description: "Source addresses sensors connect from, round-robin: 127.0.0.2,127.0.0.3 " +
      "or 127.0.0.2-127.0.0.9 (Linux gives each about 28,000 ports).",
  },
  {
    key: "json",
    target: "json",
    flag: { name: "json" },
    type: { kind: "boolean" },
    description: "Print the summary as JSON on stdout instead of the table.",
  },
  {
    key: "out",
    target: "outPath",
    flag: { name: "out", short: "o", value: "FILE" },
    type: { kind: "path" },
    description: "Also write the JSON summary to FILE (atomically; also on Ctrl-C).",
  },
  {
    key: "timeline",
    target: "timelinePath",
    flag: { name: "timeline", value: "FILE" },
    type: { kind: "path" },
    description: "Stream one record per second to FILE as the run goes: .ndjson/.jsonl or .csv.",
  },
  {
    key: "html",
    target: "htmlPath",
    flag: { name: "html", value: "FILE" },
    type: { kind: "path" },
    description: "Write the HTML report to FILE after the run (one self-contained page, " +
      "also on Ctrl-C).",
  },
  {
    key: "prometheus",
    target: "prometheusListen",
    flag: { name: "prometheus" },
    type: { kind: "listen", defaultHost: "127.0.0.1" },
    description: "Serve GET /metrics in the Prometheus text format while the run goes, " +
      "on [HOST:]PORT (host 127.0.0.1 unless given; port 0 picks a free one).",
  },
];
