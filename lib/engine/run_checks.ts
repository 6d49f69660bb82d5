import type { Scenario } from "../config/scenario.ts";
import { payloadTemplateProblems } from "../fleet/payload_template.ts";
import { credentialProblems } from "./device_credentials.ts";
import { mqttLimitProblems } from "./mqtt_limits.ts";
import { transportProblems } from "./transport_choice.ts";

/**
 * What the run itself finds wrong with a validated scenario before anything connects,
 * one line each: the strings MQTT would not carry (see mqtt_limits.ts), the payload
 * templates, compiled as the fleet will compile them (faker methods, JSON validity),
 * and the sensors' own credentials and certificate files (see device_credentials.ts). `settingOf(fleetIndex)` names a fleet's template in
 * the lines (default `fleets[n].payloadTemplate`).
 */
export function runProblems(
  scenario: Scenario,
  settingOf?: (fleetIndex: number) => string,
): string[] {
  return [
    ...mqttLimitProblems(scenario),
    ...payloadTemplateProblems(scenario, settingOf),
    ...credentialProblems(scenario),
    ...transportProblems(scenario),
  ];
}
