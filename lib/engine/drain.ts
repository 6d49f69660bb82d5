import type { Clock } from "./clock.ts";

/** How long an interrupted run still waits for the probe and for acknowledgements, in ms. */
export const INTERRUPTED_DRAIN_MS = 1_000;
/** How often the drain looks at pending acknowledgements, in ms. */
const DRAIN_POLL_MS = 50;

/** What a drain waits on. */
export interface DrainOptions {
  /** How long the probe listens once sending stopped, in ms. */
  readonly drainMs: number;
  /** How long pending acknowledgements are waited for, in ms. */
  readonly ackTimeoutMs: number;
  /** QoS 1/2 publishes still waiting for their acknowledgement. */
  readonly inflightCount: () => number;
  /** Whether the run was interrupted before the drain began. */
  readonly interrupted: boolean;
  /** Aborted by an interrupt: the drain is cut to {@linkcode INTERRUPTED_DRAIN_MS}. */
  readonly interrupt: AbortSignal;
}

/**
 * Waits `drainMs` for the probe and, within the ack timeout, for pending acks; an
 * interrupt (before or during) cuts both to {@linkcode INTERRUPTED_DRAIN_MS}. Resolves
 * with whether the run was interrupted by the end.
 */
export async function drain(clock: Clock, options: DrainOptions): Promise<boolean> {
  let interrupted = options.interrupted;
  const startMs = clock.nowMs();
  let deadlineMs = startMs +
    (interrupted ? Math.min(options.drainMs, INTERRUPTED_DRAIN_MS) : options.drainMs);
  let ackDeadlineMs = startMs + (interrupted ? INTERRUPTED_DRAIN_MS : options.ackTimeoutMs);
  while (true) {
    const nowMs = clock.nowMs();
    if (options.interrupt.aborted && !interrupted) {
      interrupted = true;
      deadlineMs = Math.min(deadlineMs, nowMs + INTERRUPTED_DRAIN_MS);
      ackDeadlineMs = Math.min(ackDeadlineMs, nowMs + INTERRUPTED_DRAIN_MS);
    }
    const acksPending = options.inflightCount() > 0 && nowMs < ackDeadlineMs;
    if (nowMs >= deadlineMs && !acksPending) return interrupted;
    await new Promise((resolve) => clock.setTimer(() => resolve(undefined), DRAIN_POLL_MS));
  }
}
