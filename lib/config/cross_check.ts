/**
 * The rules that involve more than one setting, checked once flags, `IOTLOAD_*` and the
 * scenario file are all applied (and by `iotload validate`).
 *
 * @module
 */
import { isIP } from "node:net";
import { type Scenario, totalSensors } from "./scenario.ts";
import { formatShard, shardSensorCount } from "./shard.ts";

/** Most sensors one process drives. */
const MAX_SENSORS_PER_PROCESS = 1_000_000;

/**
 * A source address must be of the broker's family: an IPv4 socket cannot bind an IPv6
 * address. Only a broker given as an IP literal can be judged before connecting.
 */
function bindFamilyProblems(scenario: Scenario): string[] {
  if (scenario.bindAddresses.length === 0 || scenario.url === null) return [];
  const host = new URL(scenario.url).hostname.replace(/^\[(.*)\]$/, "$1");
  const brokerFamily = isIP(host);
  if (brokerFamily === 0) return [];
  const other = scenario.bindAddresses.find((address) => isIP(address) !== brokerFamily);
  return other === undefined ? [] : [
    `--bind: ${other} is an IPv${isIP(other)} address; the broker ${host} is IPv${brokerFamily}`,
  ];
}

/** Problems that involve more than one field; empty when the scenario is consistent. */
export function crossCheck(scenario: Scenario): string[] {
  const problems: string[] = [];
  if (scenario.url === null && scenario.protocolVersion === 5) {
    problems.push("--protocol-version 5: the embedded broker speaks MQTT 3.1.1 only; give --url");
  }
  const tls = scenario.caPath !== undefined || scenario.certPath !== undefined ||
    scenario.keyPath !== undefined || scenario.insecure || scenario.probeCertPath !== undefined;
  if (tls && !/^(mqtts|wss):/.test(scenario.url ?? "")) {
    problems.push("--ca/--cert/--key/--insecure need --url with mqtts:// or wss://");
  }
  if ((scenario.certPath === undefined) !== (scenario.keyPath === undefined)) {
    problems.push("--cert and --key must be given together");
  }
  if ((scenario.probeCertPath === undefined) !== (scenario.probeKeyPath === undefined)) {
    problems.push("--probe-cert and --probe-key must be given together");
  }
  problems.push(...bindFamilyProblems(scenario));
  const sensors = totalSensors(scenario);
  scenario.stages.forEach((stage, index) => {
    if (stage.targetSensors > sensors) {
      problems.push(
        `stages[${index}].target: expected at most the ${sensors} sensors of all fleets, got ${stage.targetSensors}`,
      );
    }
  });
  for (const [index, fleet] of scenario.fleets.entries()) {
    if (fleet.count > 1 && !/\{(id|index)\}/.test(fleet.clientIdTemplate)) {
      // MQTT-3.1.4-2: a second connection with the same client id takes the first one over.
      problems.push(
        `--client-id: ${
          JSON.stringify(fleet.clientIdTemplate)
        } gives every sensor the same client id; add {id}`,
      );
    }
    if (fleet.jitterMs >= fleet.intervalMs) {
      problems.push(`--jitter: must be shorter than the interval (${fleet.intervalMs} ms)`);
    }
    const fleetPath = `fleets[${index}]`;
    if (
      (fleet.certTemplate !== null || fleet.keyTemplate !== null) &&
      !/^(mqtts|wss):/.test(scenario.url ?? "")
    ) {
      problems.push(`${fleetPath}.tls: per-device certificates need a url with mqtts:// or wss://`);
    }
    const perSensorTopics = [
      ["status.topic", fleet.statusTopicTemplate],
      ["commands.topic", fleet.commandTopicTemplate],
    ] as const;
    for (const [key, template] of perSensorTopics) {
      if (template !== null && fleet.count > 1 && !/\{(id|index)\}/.test(template)) {
        // Every sensor's birth message or last will would overwrite the others' (both are
        // retained), and a command would reach the whole fleet.
        problems.push(
          `${fleetPath}.${key}: ${
            JSON.stringify(template)
          } gives every sensor the same topic; add {id}`,
        );
      }
    }
    const mqtt5Keys = [
      Object.keys(fleet.userProperties).length > 0 ? "userProperties" : "",
      fleet.messageExpirySec > 0 ? "messageExpiry" : "",
      fleet.contentType !== null ? "contentType" : "",
      fleet.topicAlias ? "topicAlias" : "",
    ].filter((key) => key !== "");
    if (mqtt5Keys.length > 0 && scenario.protocolVersion === 4) {
      // MQTT 3.1.1 PUBLISH packets have no properties (MQTT 5 section 3.3.2.3 adds them).
      const embedded = scenario.url === null
        ? "; the embedded broker speaks MQTT 3.1.1 only; give --url"
        : "";
      problems.push(
        `${fleetPath}.mqtt5: needs broker.protocolVersion 5 for ${mqtt5Keys.join(", ")}${embedded}`,
      );
    }
  }
  if (
    scenario.commandRatePerSec > 0 &&
    scenario.fleets.every((fleet) => fleet.commandTopicTemplate === null)
  ) {
    problems.push("run.commandRate: no fleet takes commands; give a fleet commands.topic");
  }
  if (scenario.fleets.length > 1) {
    const clientIds = scenario.fleets.map((fleet) => fleet.clientIdTemplate);
    if (
      new Set(clientIds).size !== clientIds.length &&
      !clientIds.every((id) => id.includes("{fleet}"))
    ) {
      problems.push("fleets: client-id templates must differ between fleets (or use {fleet})");
    }
  }
  problems.push(...shardProblems(scenario));
  return problems;
}

/** A process drives at most a million sensors; shards of one run share a broker and an id. */
function shardProblems(scenario: Scenario): string[] {
  const problems: string[] = [];
  const sensors = shardSensorCount(scenario);
  if (sensors > MAX_SENSORS_PER_PROCESS) {
    problems.push(
      `fleets: ${sensors} sensors for this process; at most 1,000,000 per process (run it as ` +
        `--shard I/${Math.ceil(sensors / MAX_SENSORS_PER_PROCESS)} or more)`,
    );
  }
  const shard = scenario.shard;
  if (shard !== null && shard.count > 1 && scenario.url === null) {
    problems.push(
      `--shard ${formatShard(shard)}: the shards of a run share one broker; give --url`,
    );
  }
  if (shard !== null && shard.count > 1 && scenario.runId === null) {
    problems.push(
      `--shard ${formatShard(shard)}: the shards of a run need the same --run-id on every ` +
        "shard (iotload kube sets one)",
    );
  }
  if (scenario.publishResult && scenario.url === null) {
    problems.push("--publish-result: needs --url (the embedded broker stops with the run)");
  }
  return problems;
}
