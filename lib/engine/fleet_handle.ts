import type { RunPhase } from "../metrics/facts.ts";
import type { ClassifiedError } from "../transport/error_category.ts";

/** What the fleet is doing right now, for the live view. */
export type FleetPhase = RunPhase;

/** Counts at the start of the hold phase. */
export interface HoldMark {
  /** Publishes written before the hold started. */
  readonly sent: number;
  /** Acknowledgements received before the hold started. */
  readonly acked: number;
}

/**
 * What a run needs from its fleet, whether the sensors run on this thread
 * ({@linkcode FleetRunner}) or are spread over worker threads (`ThreadedFleet`).
 */
export interface FleetHandle {
  /** The current phase. */
  readonly phase: FleetPhase;
  /** Sensors whose first connect attempt has settled (ramp-up progress). */
  readonly settledCount: number;
  /** Sensors that connected at least once. */
  readonly connectedOnceCount: number;
  /** Clock time when every sensor's first attempt had settled; null before. */
  readonly rampDoneMs: number | null;
  /** 1-based number of the current stage; 0 when the scenario has no stages. */
  readonly stage: number;
  /** QoS 1/2 publishes waiting for acknowledgement. */
  readonly inflightCount: number;
  /** Notes the sent and acked counts now: the start of the window rates are measured over. */
  markHold(): void;
  /** Holds every connect attempt back (`true`, while the probe is away) or lets them go. */
  holdConnects(held: boolean): void;
  /** The counts noted by markHold(), once known (workers report them a moment later). */
  holdMark(): HoldMark | null;
  /** Starts connecting and scheduling. */
  start(): void;
  /** Fails QoS 1/2 publishes past the ack timeout; called once a second. */
  expireInflight(): void;
  /** Stops scheduling sends. */
  stopSending(): void;
  /** Disconnects every sensor (bounded by `timeoutMs` each). */
  disconnect(timeoutMs: number): Promise<void>;
  /** Publishes written per sensor id. */
  sentBySensor(): Map<string, number>;
  /** The most frequent reason connect attempts failed, or null. */
  mostCommonConnectError(): ClassifiedError | null;
}
