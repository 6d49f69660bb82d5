import { SYSTEM_CLOCK } from "../engine/clock.ts";
import type { RunSeams } from "../engine/run_options.ts";

/** The real world for a run: the system clock, `Date.now`, `Math.random`, UUIDs, cores. */
export function systemSeams(): RunSeams {
  return {
    clock: SYSTEM_CLOCK,
    epochNowMs: () => Date.now(),
    random: Math.random,
    newId: () => crypto.randomUUID(),
    cores: navigator.hardwareConcurrency,
  };
}
