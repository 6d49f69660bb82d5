import { type FleetSpec, type Scenario, totalSensors } from "../config/scenario.ts";
import { fleetOfIndexFor } from "../config/fleet_of_index.ts";
import type { SensorRange } from "../config/shard.ts";
import { createIdentity, type SensorIdentity } from "../fleet/identity.ts";
import {
  type CompiledPayloadTemplate,
  compilePayloadTemplate,
  sampleReadingJson,
} from "../fleet/payload_template.ts";
import type { DeviceProfile } from "../fleet/device_profile.ts";
import { profileFor } from "../fleet/profile.ts";
import {
  compileTemplate,
  compileTopicTemplate,
  formatSensorId,
  idWidthFor,
  topicFilterFor,
} from "../fleet/template.ts";
import { seedFor } from "../fleet/random.ts";
import { phaseFraction } from "./send_phase.ts";

/** Generator stream of the fleets' phase offsets ("PHS"), apart from every profile's. */
const PHASE_STREAM = 0x504853;

/**
 * Everything per sensor that does not change during a run, in parallel arrays indexed
 * by the sensor's local index (its position among the table's ranges): ids, topics,
 * client ids, identity JSON, device profile state.
 *
 * Global indexes number the fleets in order; `{id}` and `{index}` are global, so ids
 * stay unique in a mixed fleet and across workers.
 */
export class SensorTable {
  /** Sensors in this table (the ranges' lengths added up). */
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
  /** Each sensor's identity, kept only for fleets with payload or status templates. */
  readonly identities: (SensorIdentity | undefined)[] = [];
  /** Each fleet's compiled payload template, or null for the default body. */
  readonly payloadTemplates: readonly (CompiledPayloadTemplate | null)[];
  /** Device profile state of each sensor. */
  readonly states: unknown[] = [];
  /** Device profile of each fleet. */
  readonly profiles: readonly DeviceProfile[];
  /** Each sensor's send phase, as a fraction of its period (see send_phase.ts). */
  readonly phases: Float32Array;
  readonly #idWidth: number;
  /** The global index of each local one. */
  readonly #globalIndexes: Uint32Array;

  /**
   * Builds the table for `ranges` (sorted, disjoint; default: every sensor); identities
   * come from faker, seeded per sensor (reproducible).
   */
  constructor(scenario: Scenario, ranges?: readonly SensorRange[]) {
    const total = totalSensors(scenario);
    const slices = ranges ?? [{ start: 0, end: total }];
    this.count = slices.reduce((sum, range) => sum + range.end - range.start, 0);
    this.#globalIndexes = new Uint32Array(this.count);
    this.fleets = scenario.fleets;
    this.fleetOf = new Uint16Array(this.count);
    this.phases = new Float32Array(this.count);
    this.profiles = scenario.fleets.map((fleet) => profileFor(fleet.profile));
    this.payloadTemplates = scenario.fleets.map((fleet, n) =>
      fleet.payloadTemplate === null
        ? null
        : compilePayloadTemplate(fleet.payloadTemplate, `fleets[${n}].payloadTemplate`, {
          seed: scenario.seed,
          sampleReadingJson: sampleReadingJson(this.profiles[n], scenario.seed),
        })
    );
    const idWidth = idWidthFor(total);
    this.#idWidth = idWidth;
    let fleetStart = 0;
    let local = 0;
    scenario.fleets.forEach((fleet, fleetIndex) => {
      const topic = compileTopicTemplate(withFleetName(fleet.topicTemplate, fleet), "topic");
      const clientId = compileTemplate(withFleetName(fleet.clientIdTemplate, fleet), "client-id");
      const profile = this.profiles[fleetIndex];
      const phaseOffset = seedFor(scenario.seed, fleetIndex, PHASE_STREAM) / 2 ** 32;
      const fleetEnd = fleetStart + fleet.count;
      for (const range of slices) {
        const from = Math.max(range.start, fleetStart);
        const to = Math.min(range.end, fleetEnd);
        for (let index = from; index < to; index++, local++) {
          this.#globalIndexes[local] = index;
          this.fleetOf[local] = fleetIndex;
          this.phases[local] = phaseFraction(index - fleetStart, phaseOffset);
          this.sensorIds.push(formatSensorId(index, idWidth));
          this.topics.push(topic(index, idWidth));
          this.clientIds.push(clientId(index, idWidth));
          const identity = createIdentity(scenario.seed, index);
          this.identityJson.push(identityJson(identity));
          this.identities.push(usesTemplates(fleet) ? identity : undefined);
          this.states.push(profile.createState(scenario.seed, index));
        }
      }
      fleetStart = fleetEnd;
    });
  }

  /** The global index of local sensor `localIndex`. */
  globalIndex(localIndex: number): number {
    return this.#globalIndexes[localIndex];
  }

  /**
   * A topic template of `fleet` as a function of a sensor's local index (`{id}` and
   * `{index}` global as everywhere, `{fleet}` the fleet's name); rendered on demand, so
   * nothing is stored per sensor.
   */
  renderer(template: string, fleet: FleetSpec): (localIndex: number) => string {
    const render = compileTopicTemplate(withFleetName(template, fleet), "topic");
    return (localIndex) => render(this.#globalIndexes[localIndex], this.#idWidth);
  }
}

/** The subscription filters that cover every fleet's topics, without repeats. */
export function topicFiltersFor(scenario: Scenario): string[] {
  const filters = scenario.fleets.map((fleet) =>
    topicFilterFor(withFleetName(fleet.topicTemplate, fleet), "topic")
  );
  return [...new Set(filters)];
}

/** Whether a fleet renders payload or status templates (which may use its identity). */
function usesTemplates(fleet: FleetSpec): boolean {
  return fleet.payloadTemplate !== null || fleet.statusOnlineTemplate !== null ||
    fleet.statusOfflineTemplate !== null;
}

/** A template with `{fleet}` replaced by the fleet's name. */
export function withFleetName(template: string, fleet: FleetSpec): string {
  return template.replaceAll("{fleet}", fleet.name);
}

function identityJson(identity: SensorIdentity): string {
  return `"deviceId":${JSON.stringify(identity.deviceId)},"model":${
    JSON.stringify(identity.model)
  },"firmware":${JSON.stringify(identity.firmware)}`;
}

/**
 * The fleet number of a sensor id (its global index, as `{id}` writes it), for the
 * probe's per-fleet counts; -1 for an id that is no sensor of the scenario.
 */
export function fleetOfSensorFor(scenario: Scenario): (sensorId: string) => number {
  const fleetOf = fleetOfIndexFor(scenario.fleets.map((fleet) => fleet.count));
  // Called for every message the probe receives: no regular expression.
  return (sensorId) => {
    const index = sensorId === "" ? NaN : Number(sensorId);
    return Number.isInteger(index) && index >= 0 ? fleetOf(index) : -1;
  };
}
