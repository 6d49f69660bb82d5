import type { StageSpec } from "../config/scenario.ts";

/** Where a staged run is at one moment. */
export interface StagePosition {
  /** 1-based number of the current stage; stages.length + 1 once every stage is over. */
  readonly stage: number;
  /** Sensors that should be connected now (whole number). */
  readonly targetSensors: number;
  /** Publish rate now, as a multiple of each fleet's own rate. */
  readonly rateFactor: number;
}

/**
 * The k6-style plan: each stage moves the number of connected sensors linearly from
 * the previous stage's target (0 before the first) to its own over its duration, and
 * the publish rate factor likewise (1 before the first).
 */
export function stagePositionAt(stages: readonly StageSpec[], elapsedMs: number): StagePosition {
  let fromSensors = 0;
  let fromRate = 1;
  let stageStartMs = 0;
  for (let n = 0; n < stages.length; n++) {
    const stage = stages[n];
    const toRate = stage.rateFactor ?? 1;
    const stageEndMs = stageStartMs + stage.durationMs;
    if (elapsedMs < stageEndMs) {
      const progress = stage.durationMs === 0
        ? 1
        : Math.max(0, (elapsedMs - stageStartMs) / stage.durationMs);
      const exact = fromSensors + (stage.targetSensors - fromSensors) * progress;
      return {
        stage: n + 1,
        targetSensors: Math.round(exact),
        rateFactor: fromRate + (toRate - fromRate) * progress,
      };
    }
    fromSensors = stage.targetSensors;
    fromRate = toRate;
    stageStartMs = stageEndMs;
  }
  return { stage: stages.length + 1, targetSensors: fromSensors, rateFactor: fromRate };
}

/** Total length of the stages, in ms. */
export function stagesDurationMs(stages: readonly StageSpec[]): number {
  return stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}
