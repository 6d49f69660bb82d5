/**
 * How one received message relates to the ones before it from the same sensor:
 * `new` in order, `reordered` new but after a higher seq, `duplicate` already received.
 */
export type Observation = "new" | "duplicate" | "reordered";

/** Reconciled message counts over all sensors; every field is a count of messages except `sensors`. */
export interface LedgerTotals {
  /** Distinct (sensor, seq) pairs received. */
  received: number;
  /** Messages whose (sensor, seq) had already been received. */
  duplicates: number;
  /** Distinct messages that arrived after a higher seq of the same sensor. */
  reordered: number;
  /** Messages sent but never received (see {@linkcode SequenceLedger.totals}). */
  lost: number;
  /** Sensors with at least one message received. */
  sensors: number;
}

interface SensorState {
  /** One past the highest seq seen; every lower seq is received unless in `gaps`. */
  nextSeq: number;
  /** Distinct seqs received. */
  received: number;
  /**
   * Seqs below `nextSeq` not yet received, as sorted disjoint half-open ranges
   * flattened to [from0, to0, from1, to1, ...]. Memory follows open gaps, not messages.
   */
  gaps: number[];
}

/** How many seqs in [0, limit) the sensor has not received. */
function missingBelow(state: SensorState, limit: number): number {
  let missing = Math.max(0, limit - state.nextSeq);
  const gaps = state.gaps;
  for (let at = 0; at < gaps.length && gaps[at] < limit; at += 2) {
    missing += Math.min(gaps[at + 1], limit) - gaps[at];
  }
  return missing;
}

/** Index of the range in `gaps` holding `seq` (an even offset), or -1. */
function findGap(gaps: readonly number[], seq: number): number {
  let low = 0;
  let high = gaps.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = middle * 2;
    if (seq < gaps[at]) high = middle - 1;
    else if (seq >= gaps[at + 1]) low = middle + 1;
    else return at;
  }
  return -1;
}

/** Removes `seq` from the gap range starting at offset `at`, splitting it if needed. */
function fillGap(gaps: number[], at: number, seq: number): void {
  const from = gaps[at];
  const to = gaps[at + 1];
  if (from === seq && to === seq + 1) gaps.splice(at, 2);
  else if (from === seq) gaps[at] = seq + 1;
  else if (to === seq + 1) gaps[at + 1] = seq;
  else gaps.splice(at + 1, 0, seq, seq + 1);
}

/**
 * Per-sensor sequence reconciliation for the probe: counts distinct, duplicate,
 * reordered and lost messages from each sensor's `seq` (an integer from 0, one per
 * message written to the socket).
 *
 * In-order arrival costs O(1) and no memory beyond a few numbers per sensor; each open
 * gap (a run of seqs not yet received) costs 16 bytes until it fills, and a late
 * arrival costs O(log gaps).
 */
export class SequenceLedger {
  #sensors = new Map<string, SensorState>();
  #duplicates = 0;
  #reordered = 0;

  /** Records one received message; throws RangeError unless `seq` is a non-negative integer. */
  observe(sensorId: string, seq: number): Observation {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new RangeError(`seq must be a non-negative integer, got ${seq}`);
    }
    let state = this.#sensors.get(sensorId);
    if (state === undefined) {
      state = { nextSeq: 0, received: 0, gaps: [] };
      this.#sensors.set(sensorId, state);
    }
    if (seq >= state.nextSeq) {
      // Appending keeps `gaps` sorted: the new gap lies above every existing one.
      if (seq > state.nextSeq) state.gaps.push(state.nextSeq, seq);
      state.nextSeq = seq + 1;
      state.received++;
      return "new";
    }
    const at = findGap(state.gaps, seq);
    if (at === -1) {
      this.#duplicates++;
      return "duplicate";
    }
    fillGap(state.gaps, at, seq);
    state.received++;
    this.#reordered++;
    return "reordered";
  }

  /**
   * Totals over every sensor. `lost` per sensor counts the seqs below its expected
   * sent count (from `expectedSentBySensor`, else its highest seq seen + 1) that never
   * arrived; seqs at or above the expected count (not sent by this run) are received
   * but never make a loss. Sensors in the map that were never seen count fully as lost.
   * `onLost` hears each sensor's loss (for per-fleet counts).
   */
  totals(
    expectedSentBySensor?: ReadonlyMap<string, number>,
    onLost?: (sensorId: string, lost: number) => void,
  ): LedgerTotals {
    let received = 0;
    let lost = 0;
    for (const [sensorId, state] of this.#sensors) {
      received += state.received;
      const expectedSent = expectedSentBySensor?.get(sensorId) ?? state.nextSeq;
      const missing = missingBelow(state, expectedSent);
      lost += missing;
      if (missing > 0) onLost?.(sensorId, missing);
    }
    if (expectedSentBySensor !== undefined) {
      for (const [sensorId, expectedSent] of expectedSentBySensor) {
        if (this.#sensors.has(sensorId)) continue;
        lost += expectedSent;
        if (expectedSent > 0) onLost?.(sensorId, expectedSent);
      }
    }
    return {
      received,
      duplicates: this.#duplicates,
      reordered: this.#reordered,
      lost,
      sensors: this.#sensors.size,
    };
  }

  /**
   * Each sensor's received seqs as sorted half-open ranges flattened to
   * `[from0, to0, from1, to1, ...]`: what an exact merge of several probes' ledgers needs.
   */
  receivedRanges(): Map<string, number[]> {
    const ranges = new Map<string, number[]>();
    for (const [sensorId, state] of this.#sensors) {
      const received: number[] = [];
      let from = 0;
      for (let at = 0; at < state.gaps.length; at += 2) {
        if (state.gaps[at] > from) received.push(from, state.gaps[at]);
        from = state.gaps[at + 1];
      }
      if (state.nextSeq > from) received.push(from, state.nextSeq);
      ranges.set(sensorId, received);
    }
    return ranges;
  }
}
