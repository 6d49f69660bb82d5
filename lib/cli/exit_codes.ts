/** Exit codes of iotload (README lists them). */
export const EXIT = Object.freeze({
  /** The run completed and every threshold held. */
  OK: 0,
  /** A threshold failed. */
  THRESHOLD_FAILED: 1,
  /** Usage or configuration error. */
  USAGE: 2,
  /** The broker was unreachable or refused every connection. */
  BROKER_UNREACHABLE: 3,
  /** An unexpected failure inside iotload (a bug): `error: unexpected failure` and the stack. */
  INTERNAL: 70,
  /** Interrupted by Ctrl-C or SIGTERM (the summary is still written). */
  INTERRUPTED: 130,
});
