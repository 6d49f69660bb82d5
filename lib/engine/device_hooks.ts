import type { FleetSpec, Scenario } from "../config/scenario.ts";
import { compilePayloadTemplate } from "../fleet/payload_template.ts";
import { encodeCommandAnswer, readCommandId } from "../transport/command_message.ts";
import type { DeviceHooks } from "../transport/connection_types.ts";
import { encodeStatus } from "../transport/status_message.ts";
import type { DeviceIdentities } from "./device_credentials.ts";
import type { SensorTable } from "./sensor_table.ts";

/**
 * What the sensors of `fleet` do besides telemetry, from its configuration: retained
 * status (birth, last will, offline on stop) stamped by the run's clock
 * (`epochNowMs`), answering commands, and connecting with `identities` of their own.
 * Undefined when the fleet does none of these.
 */
export function deviceHooksFor(
  table: SensorTable,
  fleet: FleetSpec,
  scenario: Scenario,
  epochNowMs: () => number,
  identities: DeviceIdentities | undefined,
): DeviceHooks | undefined {
  if (
    fleet.statusTopicTemplate === null && fleet.commandTopicTemplate === null &&
    !fleet.topicAlias && identities === undefined
  ) {
    return undefined;
  }
  const seed = scenario.seed;
  const statusJson = (index: number, online: boolean): string => {
    const template = online ? onlineTemplate : offlineTemplate;
    if (template === null) return encodeStatus(table.sensorIds[index], online, epochNowMs());
    return `{${
      template({
        sensorId: table.sensorIds[index],
        index: table.globalIndex(index),
        seq: 0,
        tsMs: epochNowMs(),
        identity: table.identities[index]!,
        readingJson: "",
      })
    }}`;
  };
  const compileStatus = (template: string | null, key: string) =>
    template === null ? null : compilePayloadTemplate(template, `status.${key}`, { seed });
  const onlineTemplate = compileStatus(fleet.statusOnlineTemplate, "online");
  const offlineTemplate = compileStatus(fleet.statusOfflineTemplate, "offline");
  const responseTopic = table.renderer(fleet.responseTopicTemplate, fleet);
  return {
    topicAlias: fleet.topicAlias,
    credentials: identities?.credentials,
    status: fleet.statusTopicTemplate === null ? undefined : {
      topic: table.renderer(fleet.statusTopicTemplate, fleet),
      online: (index) => statusJson(index, true),
      offline: (index) => statusJson(index, false),
    },
    commands: fleet.commandTopicTemplate === null ? undefined : {
      topic: table.renderer(fleet.commandTopicTemplate, fleet),
      answer: (index, command) => {
        const commandId = readCommandId(command);
        if (commandId === null) return null;
        return {
          topic: responseTopic(index),
          payload: encodeCommandAnswer(table.sensorIds[index], commandId),
        };
      },
    },
  };
}

/**
 * True when no sensor publishes above QoS 0 (telemetry, status or command answers):
 * then no message store ever holds a message, and one pair can serve every sensor.
 */
export function publishesOnlyQos0(scenario: Scenario): boolean {
  return scenario.fleets.every((fleet) =>
    fleet.qos === 0 && fleet.statusTopicTemplate === null && fleet.commandTopicTemplate === null
  );
}
