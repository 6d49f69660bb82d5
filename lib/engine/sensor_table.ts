import { type FleetSpec, type Scenario, totalSensors } from "../config/scenario.ts";
import { createIdentity } from "../fleet/identity.ts";
import { type DeviceProfile, profileFor } from "../fleet/profile.ts";
import {
  compileTemplate,
  compileTopicTemplate,
  formatSensorId,
  idWidthFor,
  topicFilterFor,
} from "../fleet/template.ts";

/**
 * Everything per sensor that does not change during a run, in parallel arrays indexed
 * by the sensor's global index (fleets numbered in order): ids, topics, client ids,
 * identity JSON, device profile state.
 *
 * `{id}` and `{index}` count across every fleet, so ids stay unique in a mixed fleet.
 */
export class SensorTable {
  /** Sensors across every fleet. */
  readonly count: number;
  /** The fleets, in order. */
  readonly fleets: readonly FleetSpec[];
  /** Fleet number of each sensor. */
  readonly fleetOf: Uint16Array;
  /** `{id}` of each sensor (the payload's `sensorId`). */
  readonly sensorIds: string[] = [];
  /** Telemetry topic of each sensor. */
  readonly topics: string[] = [];
  /** MQTT client id of each sensor. */
  readonly clientIds: string[] = [];
  /** Identity members of each sensor's payload, JSON without braces. */
  readonly identityJson: string[] = [];
  /** Device profile state of each sensor. */
  readonly states: unknown[] = [];
  /** Device profile of each fleet. */
  readonly profiles: readonly DeviceProfile[];

  /** Builds the table; identities come from faker, seeded per sensor (reproducible). */
  constructor(scenario: Scenario) {
    this.count = totalSensors(scenario);
    this.fleets = scenario.fleets;
    this.fleetOf = new Uint16Array(this.count);
    this.profiles = scenario.fleets.map((fleet) => profileFor(fleet.profile));
    const idWidth = idWidthFor(this.count);
    let index = 0;
    scenario.fleets.forEach((fleet, fleetIndex) => {
      const topic = compileTopicTemplate(withFleetName(fleet.topicTemplate, fleet), "topic");
      const clientId = compileTemplate(withFleetName(fleet.clientIdTemplate, fleet), "client-id");
      const profile = this.profiles[fleetIndex];
      for (let n = 0; n < fleet.count; n++, index++) {
        this.fleetOf[index] = fleetIndex;
        this.sensorIds.push(formatSensorId(index, idWidth));
        this.topics.push(topic(index, idWidth));
        this.clientIds.push(clientId(index, idWidth));
        this.identityJson.push(identityJson(scenario.seed, index));
        this.states.push(profile.createState(scenario.seed, index));
      }
    });
  }
}

/** The subscription filters that cover every fleet's topics, without repeats. */
export function topicFiltersFor(scenario: Scenario): string[] {
  const filters = scenario.fleets.map((fleet) =>
    topicFilterFor(withFleetName(fleet.topicTemplate, fleet), "topic")
  );
  return [...new Set(filters)];
}

function withFleetName(template: string, fleet: FleetSpec): string {
  return template.replaceAll("{fleet}", fleet.name);
}

function identityJson(seed: number, index: number): string {
  const identity = createIdentity(seed, index);
  return `"deviceId":${JSON.stringify(identity.deviceId)},"model":${
    JSON.stringify(identity.model)
  },"firmware":${JSON.stringify(identity.firmware)}`;
}
