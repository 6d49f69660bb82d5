/**
 * Flags and `IOTLOAD_*` variables applied over a scenario: each value is looked up in
 * the settings table (`settings.ts`) and read by the one value reader, so a flag means
 * exactly what the same field of a scenario file means.
 *
 * @module
 */

import { crossCheck } from "./cross_check.ts";
import { readValue, type ValueContext } from "./read_value.ts";
import { DEFAULT_SCENARIO, type FleetSpec, type Scenario, type StageSpec } from "./scenario.ts";
import {
  type OverrideSource,
  type Setting,
  SETTING_BY_FLAG,
  settingName,
  SETTINGS,
} from "./settings.ts";
import { UsageError } from "./usage_error.ts";

/** Raw override values by long flag name (from flags or `IOTLOAD_*` variables). */
export type OverrideValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

export type { OverrideSource } from "./settings.ts";

/** One layer of overrides: values and where they came from. */
export interface OverrideLayer {
  /** Values by long flag name. */
  readonly values: OverrideValues;
  /** Where they came from. */
  readonly source: OverrideSource;
}

/** One setting's value as the layers give it: the last layer wins, lists add up. */
interface GivenValue {
  readonly setting: Setting;
  readonly value: string | boolean | string[];
  readonly source: OverrideSource;
}

/**
 * Applies override layers (e.g. `IOTLOAD_*` variables, then flags: later layers win;
 * repeatable settings such as thresholds add up) over `base` and returns the new
 * frozen {@linkcode Scenario}. Names that are no setting (`scenario`, `help`) are
 * skipped. Every problem is collected; if there are any, one {@linkcode UsageError}
 * carries them all, one per line.
 */
export function applyOverrides(base: Scenario, layers: readonly OverrideLayer[]): Scenario {
  const given = mergeLayers(layers);
  const problems: string[] = [];
  const context: ValueContext = { fromText: true, problems };
  const scenarioPatch: Record<string, unknown> = {};
  const fleetPatch: Record<string, unknown> = {};
  const perFleet = given.filter(({ setting }) => setting.perFleet);
  if (perFleet.length > 0 && base.fleets.length !== 1) {
    problems.push(
      `${
        perFleet.map(({ setting, source }) => settingName(setting.flag.name, source)).join(", ")
      }: the scenario has ${base.fleets.length} fleets; set these per fleet in the scenario file`,
    );
  }
  for (const { setting, value, source } of given) {
    const name = settingName(setting.flag.name, source);
    const parsed = readValue(setting.field.type, value, name, context);
    if (parsed === undefined) continue;
    const target = setting.field.target as string;
    if (setting.perFleet) fleetPatch[target] = parsed;
    else if (setting.repeatable) {
      scenarioPatch[target] = [...(base[target as keyof Scenario] as unknown[]), ...parsed as []];
    } else scenarioPatch[target] = setting.flag.negate === true ? !parsed : parsed;
  }
  const url = "url" in scenarioPatch ? scenarioPatch.url as string : base.url;
  const scenario: Scenario = {
    ...base,
    // The embedded broker (aedes) speaks MQTT 3.1.1 only: without a URL, 3.1.1 is the
    // default (an explicit 5 is reported by crossCheck()); a URL given over a scenario
    // that had none brings back the default, MQTT 5.
    protocolVersion: url === null
      ? 4
      : base.url === null
      ? DEFAULT_SCENARIO.protocolVersion
      : base.protocolVersion,
    ...scenarioPatch,
    fleets: perFleet.length > 0 && base.fleets.length === 1
      ? [{ ...base.fleets[0], ...fleetPatch } as FleetSpec]
      : base.fleets,
    // A duration given over a staged scenario (to shorten a run) scales every stage.
    stages: "durationMs" in scenarioPatch
      ? fitStages(base.stages, scenarioPatch.durationMs as number)
      : base.stages,
  };
  problems.push(...crossCheck(scenario));
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return freezeScenario(scenario);
}

/** The given values of every setting in `layers`, in the order the table lists them. */
function mergeLayers(layers: readonly OverrideLayer[]): GivenValue[] {
  const given = new Map<Setting, GivenValue>();
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.values)) {
      const setting = SETTING_BY_FLAG.get(name);
      if (value === undefined || setting === undefined) continue;
      const earlier = given.get(setting)?.value;
      const merged = setting.repeatable && Array.isArray(earlier) && Array.isArray(value)
        ? [...earlier, ...value]
        : value;
      given.set(setting, { setting, value: merged, source: layer.source });
    }
  }
  return SETTINGS.flatMap((setting) => given.get(setting) ?? []);
}

/**
 * Stages squeezed or stretched to last `durationMs` in all, keeping their shape: a
 * duration given over a staged scenario (to shorten a run) scales every stage.
 */
export function fitStages(stages: readonly StageSpec[], durationMs: number): StageSpec[] {
  const totalMs = stages.reduce((sum, stage) => sum + stage.durationMs, 0);
  if (totalMs === 0 || durationMs === 0) return [...stages];
  const scale = durationMs / totalMs;
  return stages.map((stage) => ({ ...stage, durationMs: Math.round(stage.durationMs * scale) }));
}

/** Freezes a scenario and its nested arrays and objects. */
export function freezeScenario(scenario: Scenario): Scenario {
  return Object.freeze({
    ...scenario,
    fleets: Object.freeze(scenario.fleets.map((fleet: FleetSpec) => Object.freeze({ ...fleet }))),
    stages: Object.freeze(scenario.stages.map((stage) => Object.freeze({ ...stage }))),
    thresholds: Object.freeze([...scenario.thresholds]),
    bindAddresses: Object.freeze([...scenario.bindAddresses]),
  });
}
