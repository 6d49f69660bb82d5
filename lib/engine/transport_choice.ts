/**
 * Which MQTT client each fleet's sensors use: the lean one (`transport/lean_client.ts`)
 * whenever it can do everything the fleet needs, MQTT.js otherwise, unless
 * `--transport` forces one.
 *
 * @module
 */
import type { FleetSpec, Scenario } from "../config/scenario.ts";
import type { TransportKind } from "../transport/connection_types.ts";

/** Why the lean client cannot serve `fleet`, in words; empty when it can. */
export function leanGaps(fleet: FleetSpec, scenario: Scenario): string[] {
  const gaps: string[] = [];
  // The embedded broker is reached over TCP or in memory, both plain streams.
  if (scenario.url !== null && !scenario.url.startsWith("mqtt://")) gaps.push("TLS or WebSocket");
  if (fleet.certTemplate !== null) gaps.push("client certificates");
  if (fleet.qos === 2) gaps.push("QoS 2");
  if (fleet.commandTopicTemplate !== null) gaps.push("commands");
  if (fleet.topicAlias) gaps.push("topic aliases");
  return gaps;
}

/** The client `fleet`'s sensors use. */
export function transportFor(fleet: FleetSpec, scenario: Scenario): TransportKind {
  if (scenario.transport === "mqttjs") return "mqttjs";
  if (scenario.transport === "lean") return "lean";
  return leanGaps(fleet, scenario).length === 0 ? "lean" : "mqttjs";
}

/** One line per fleet `--transport lean` cannot serve; empty otherwise. */
export function transportProblems(scenario: Scenario): string[] {
  if (scenario.transport !== "lean") return [];
  return scenario.fleets.flatMap((fleet, index) => {
    const gaps = leanGaps(fleet, scenario);
    return gaps.length === 0 ? [] : [
      `--transport lean: fleets[${index}] (${fleet.name}) needs MQTT.js for ${
        gaps.join(", ")
      }; use --transport auto`,
    ];
  });
}
