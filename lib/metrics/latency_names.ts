/** The latency histograms of a summary, in the order reports list them. */
export const LATENCY_NAMES = ["connect", "ack", "e2e", "lateness", "reconnect", "command"] as const;

/** One of {@linkcode LATENCY_NAMES}. */
export type LatencyName = typeof LATENCY_NAMES[number];
