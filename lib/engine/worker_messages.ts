import type { Scenario } from "../config/scenario.ts";
import type { MetricsDelta } from "../metrics/metrics_delta.ts";
import type { BrokerTarget } from "../transport/client_factory.ts";
import type { ClassifiedError } from "../transport/error_category.ts";
import type { HoldMark } from "./fleet_handle.ts";
import type { FleetPhase } from "./fleet_handle.ts";
import type { SensorRange } from "../config/shard.ts";

/** What the main thread tells a fleet worker. */
export type ToFleetWorker =
  | {
    readonly type: "start";
    readonly scenario: Scenario;
    /** The target without its shared timer and stores (the worker makes its own). */
    readonly target: BrokerTarget;
    /** The worker's sensors: global index ranges. */
    readonly ranges: readonly SensorRange[];
    /** Position of its first sensor among the process's (for the stage plan). */
    readonly firstPosition: number;
    readonly gateShare: number;
    /** Where every worker's send grid starts, in ms since the Unix epoch. */
    readonly originEpochMs: number;
    /** The run's id, for the envelopes. */
    readonly runId: string;
  }
  | { readonly type: "mark-hold" }
  | { readonly type: "hold-connects"; readonly held: boolean }
  | { readonly type: "stop-sending" }
  | { readonly type: "disconnect"; readonly timeoutMs: number };

/** The state of a worker's fleet, sent with every delta. */
export interface FleetWorkerState {
  readonly phase: FleetPhase;
  readonly settledCount: number;
  readonly connectedOnceCount: number;
  /** When the worker's ramp-up ended, in ms since the Unix epoch; null before. */
  readonly rampDoneEpochMs: number | null;
  readonly inflightCount: number;
  readonly stage: number;
  readonly topConnectError: ClassifiedError | null;
  /** Counts when the main thread marked the hold start; null before. */
  readonly holdMark: HoldMark | null;
}

/** What a fleet worker tells the main thread. */
export type FromFleetWorker =
  | { readonly type: "ready" }
  | { readonly type: "tick"; readonly delta: MetricsDelta; readonly state: FleetWorkerState }
  | {
    readonly type: "stopped";
    readonly delta: MetricsDelta;
    readonly state: FleetWorkerState;
    readonly sensorIds: readonly string[];
    readonly sentCounts: readonly number[];
  }
  | { readonly type: "failed"; readonly message: string };
