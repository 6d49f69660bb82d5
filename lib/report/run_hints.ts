import type { Summary } from "../metrics/summary.ts";

/**
 * Hints that follow from what a finished run observed, one line each (printed as
 * `hint:` after the summary): figures that point at the broker's setup rather than at
 * its performance.
 */
export function runHints(summary: Summary): string[] {
  const hints: string[] = [];
  const m = summary.messages;
  const qos = summary.config.fleets;
  const usesQos2 = Array.isArray(qos) &&
    qos.some((fleet) => (fleet as { qos?: unknown }).qos === 2);
  const timeouts = summary.connections.errors.ackTimeout ?? 0;
  if (usesQos2 && m.sent > 0 && m.acked === 0 && timeouts > 0) {
    hints.push(
      "no QoS 2 publish was completed (PUBREC, PUBREL, PUBCOMP): the broker may not support QoS 2; try -q 1",
    );
  }
  if (summary.ledger.probe && m.sent > 0 && m.received === 0) {
    hints.push(
      `the probe received none of the ${m.sent} messages sent: this user may lack read access to the fleet's topics`,
    );
  }
  return hints;
}
