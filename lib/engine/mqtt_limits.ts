/**
 * What MQTT itself limits, checked before anything connects: every string the run
 * will put in a packet, rendered for the sensor that makes it longest.
 *
 * @module
 */
import { type FleetSpec, type Scenario, totalSensors } from "../config/scenario.ts";
import { compileTemplate, idWidthFor } from "../fleet/template.ts";
import { withFleetName } from "./sensor_table.ts";

/** MQTT-1.5.4: a UTF-8 string is at most 65,535 bytes. */
export const MAX_STRING_BYTES = 65_535;

const ENCODER = new TextEncoder();

/** One line per string of the scenario that MQTT would not carry; empty when all fit. */
export function mqttLimitProblems(scenario: Scenario): string[] {
  const problems: string[] = [];
  const checkBytes = (setting: string, value: string) => {
    const bytes = ENCODER.encode(value).length;
    if (bytes > MAX_STRING_BYTES) {
      problems.push(
        `${setting}: ${
          bytes.toLocaleString("en-US")
        } bytes; MQTT strings take at most 65,535 (MQTT-1.5.4)`,
      );
    }
    // MQTT-1.5.4-2: a UTF-8 string must not include the null character U+0000.
    if (value.includes("\u0000")) problems.push(`${setting}: holds a null character (U+0000)`);
  };
  if (scenario.username !== undefined) checkBytes("--username", scenario.username);
  if (scenario.password !== undefined) {
    const bytes = ENCODER.encode(scenario.password).length;
    if (bytes > MAX_STRING_BYTES) {
      problems.push("--password: longer than 65,535 bytes (MQTT-3.1.3.5)");
    }
  }
  const idWidth = idWidthFor(totalSensors(scenario));
  let firstIndex = 0;
  scenario.fleets.forEach((fleet, n) => {
    // The highest index renders the longest {id} and {index}.
    const lastIndex = firstIndex + fleet.count - 1;
    firstIndex += fleet.count;
    const render = (template: string) =>
      compileTemplate(withFleetName(template, fleet), "topic")(lastIndex, idWidth);
    const name = scenario.fleets.length === 1 ? "" : `fleets[${n}].`;
    for (const [setting, template] of templatesOf(fleet, name)) {
      const value = render(template);
      checkBytes(setting, value);
      if (setting.endsWith("topic") && value.startsWith("$")) {
        // MQTT-4.7.2-1: topics starting with "$" belong to the broker.
        problems.push(
          `${setting}: ${JSON.stringify(template)} starts with "$", which is the broker's`,
        );
      }
    }
    for (const [key, value] of Object.entries(fleet.userProperties)) {
      checkBytes(`${name}userProperties key`, key);
      checkBytes(`${name}userProperties[${JSON.stringify(key.slice(0, 40))}]`, value);
    }
  });
  return [...new Set(problems)];
}

/** Every per-sensor string template of a fleet, with the setting that names it. */
function templatesOf(fleet: FleetSpec, name: string): [string, string][] {
  const templates: [string, string][] = [
    [name === "" ? "--topic" : `${name}topic`, fleet.topicTemplate],
    [name === "" ? "--client-id" : `${name}clientId`, fleet.clientIdTemplate],
  ];
  if (fleet.statusTopicTemplate !== null) {
    templates.push([`${name}status.topic`, fleet.statusTopicTemplate]);
  }
  if (fleet.commandTopicTemplate !== null) {
    templates.push([`${name}commands.topic`, fleet.commandTopicTemplate]);
    templates.push([`${name}commands.responseTopic`, fleet.responseTopicTemplate]);
  }
  return templates;
}
