import type { Scenario } from "../config/scenario.ts";
import { payloadTemplateProblems } from "../fleet/payload_template.ts";

/**
 * What the run itself finds wrong with a validated scenario before anything connects,
 * one line each: today the payload templates, compiled as the fleet will compile them
 * (faker methods, JSON validity). `settingOf(fleetIndex)` names a fleet's template in
 * the lines (default `fleets[n].payloadTemplate`).
 */
export function runProblems(
  scenario: Scenario,
  settingOf?: (fleetIndex: number) => string,
): string[] {
  return payloadTemplateProblems(scenario, settingOf);
}
