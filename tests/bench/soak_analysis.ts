/**
 * The numbers of the fault soak (`deno task bench --faults`), computed from what the
 * soak recorded (broker restarts, RSS readings) and the generator's JSON summary: how
 * long the fleet took to come back after each restart, whether the generator's memory
 * grows, and whether the message ledger holds. Pure functions: no I/O, no clock.
 *
 * @module
 */
import type { Summary } from "../../lib/metrics/summary.ts";

/** One broker restart as the soak made it. */
export interface RestartRecord {
  /** When the broker was killed, ms since the Unix epoch. */
  readonly killedAtMs: number;
  /** When the restarted broker accepted TCP again, ms since the Unix epoch; null if it did not. */
  readonly upAtMs: number | null;
  /** Why the restart failed, or null. */
  readonly error: string | null;
}

/** One reading of the generator's resident memory at a mark of the soak. */
export interface RssMark {
  /** Time since the hold started, in ms (the mark, not the reading). */
  readonly offsetMs: number;
  /** VmRSS in KiB, or null when the process could not be read. */
  readonly rssKb: number | null;
}

/** How the fleet came back after one restart, from the summary's per-second timeline. */
export interface Recovery {
  /** Fewest connections seen in a timeline second between this kill and the next. */
  readonly lowestConnected: number | null;
  /** From the kill until at least half the fleet was connected again, in ms; null if never. */
  readonly halfBackMs: number | null;
  /** From the kill until at least 99% of the fleet was connected again, in ms; null if never. */
  readonly p99BackMs: number | null;
  /** From the kill until the whole fleet was connected again, in ms; null if never. */
  readonly allBackMs: number | null;
}

/** Whether memory grows over the soak. */
export interface RssTrend {
  /** Readings taken after the first restart (the ones compared). */
  readonly samples: number;
  /** Mean VmRSS of the first third of them, in KiB; null with fewer than 3 readings. */
  readonly firstThirdKb: number | null;
  /** Mean VmRSS of the last third of them, in KiB; null with fewer than 3 readings. */
  readonly lastThirdKb: number | null;
  /** Last third against first third, in percent; null with fewer than 3 readings. */
  readonly changePct: number | null;
  /** Least-squares slope over the readings, in KiB per minute; null with fewer than 3. */
  readonly slopeKbPerMin: number | null;
  /** `no growth` when the change is at most {@linkcode GROWTH_LIMIT_PCT}, else `growth`. */
  readonly verdict: "no growth" | "growth" | "n/a";
}

/** The message and connection totals of the summary, and the two identities they obey. */
export interface SoakLedger {
  /** Sends the schedule asked for (`messages.scheduled`). */
  readonly scheduled: number;
  /** Publishes written to a connected socket (`messages.sent`). */
  readonly sent: number;
  /** Publishes acknowledged (`messages.acked`). */
  readonly acked: number;
  /** Publishes that failed: connection lost or ack timeout (`messages.failed`). */
  readonly failed: number;
  /** Sends skipped while the sensor was offline (`messages.offlineDropped`). */
  readonly offlineDropped: number;
  /** Sends skipped for a full socket or in-flight window (`messages.backpressured`). */
  readonly backpressured: number;
  /** Distinct messages the probe received (`messages.received`). */
  readonly received: number;
  /** Sent messages the probe never received (`messages.lost`). */
  readonly lost: number;
  /** Messages the probe received more than once (`messages.duplicates`). */
  readonly duplicates: number;
  /** Established connections that were lost (`connections.disconnects`). */
  readonly disconnects: number;
  /** Successful connects after a loss (`connections.reconnects`). */
  readonly reconnects: number;
  /** `scheduled == sent + backpressured + offlineDropped`. */
  readonly scheduledBalanced: boolean;
  /** `sent == acked + failed` (QoS 1: every publish written is acknowledged or failed). */
  readonly sentBalanced: boolean;
}

/** A change of mean RSS up to this, in percent, counts as no growth. */
export const GROWTH_LIMIT_PCT = 10;

/** The fractions of the fleet whose return after a restart is timed. */
const HALF = 0.5;
const P99 = 0.99;

/**
 * How the fleet came back after the restart that killed the broker at `killedAtMs`:
 * looks at the timeline seconds after the kill and up to `untilMs` (the next kill, or
 * the end), finds the one with the fewest connections, and from there the first second
 * that had half, 99% and all of the fleet connected. A point's time is the run's start
 * plus `t` seconds, so the times are good to about one second. The fleet is the
 * connection target less the sensors that never connected.
 */
export function measureRecovery(
  summary: Pick<Summary, "startedAt" | "timeline" | "connections">,
  killedAtMs: number,
  untilMs: number,
): Recovery {
  const startMs = Date.parse(summary.startedAt);
  const fleet = summary.connections.target - summary.connections.failed;
  const window = summary.timeline
    .map((point) => ({ atMs: startMs + point.t * 1000, connected: point.connected }))
    .filter((point) => point.atMs > killedAtMs && point.atMs <= untilMs);
  if (window.length === 0) {
    return { lowestConnected: null, halfBackMs: null, p99BackMs: null, allBackMs: null };
  }
  let lowest = 0;
  for (let i = 1; i < window.length; i++) {
    if (window[i].connected < window[lowest].connected) lowest = i;
  }
  const backMs = (fraction: number): number | null => {
    const needed = Math.ceil(fleet * fraction);
    const point = window.slice(lowest).find((p) => p.connected >= needed);
    return point === undefined ? null : point.atMs - killedAtMs;
  };
  return {
    lowestConnected: window[lowest].connected,
    halfBackMs: backMs(HALF),
    p99BackMs: backMs(P99),
    allBackMs: backMs(1),
  };
}

/**
 * Whether RSS grows: the readings taken after `afterOffsetMs` (the first restart, so the
 * ramp-up and the first reconnect storm are behind) are split in thirds, and the mean of
 * the last third is compared with the mean of the first. Within
 * {@linkcode GROWTH_LIMIT_PCT} percent is `no growth`. Needs 3 readings.
 */
export function measureRssTrend(marks: readonly RssMark[], afterOffsetMs: number): RssTrend {
  const readings = marks.filter((mark): mark is RssMark & { rssKb: number } =>
    mark.offsetMs > afterOffsetMs && mark.rssKb !== null
  );
  if (readings.length < 3) {
    return {
      samples: readings.length,
      firstThirdKb: null,
      lastThirdKb: null,
      changePct: null,
      slopeKbPerMin: null,
      verdict: "n/a",
    };
  }
  const third = Math.floor(readings.length / 3);
  const mean = (part: readonly { rssKb: number }[]) =>
    part.reduce((sum, mark) => sum + mark.rssKb, 0) / part.length;
  const firstThirdKb = mean(readings.slice(0, third));
  const lastThirdKb = mean(readings.slice(-third));
  const changePct = (lastThirdKb / firstThirdKb - 1) * 100;
  return {
    samples: readings.length,
    firstThirdKb,
    lastThirdKb,
    changePct,
    slopeKbPerMin: slopePerMin(readings),
    verdict: changePct <= GROWTH_LIMIT_PCT ? "no growth" : "growth",
  };
}

/** The summary's message and connection totals, and whether its identities hold. */
export function readLedger(summary: Pick<Summary, "messages" | "connections">): SoakLedger {
  const m = summary.messages;
  return {
    scheduled: m.scheduled,
    sent: m.sent,
    acked: m.acked,
    failed: m.failed,
    offlineDropped: m.offlineDropped,
    backpressured: m.backpressured,
    received: m.received,
    lost: m.lost,
    duplicates: m.duplicates,
    disconnects: summary.connections.disconnects,
    reconnects: summary.connections.reconnects,
    scheduledBalanced: m.scheduled === m.sent + m.backpressured + m.offlineDropped,
    sentBalanced: m.sent === m.acked + m.failed,
  };
}

/** The offsets (ms into the hold) of the restarts: every `everyMs`, strictly before the end. */
export function restartOffsetsMs(durationMs: number, everyMs: number): number[] {
  const offsets: number[] = [];
  for (let offsetMs = everyMs; offsetMs < durationMs; offsetMs += everyMs) offsets.push(offsetMs);
  return offsets;
}

/** The offsets (ms into the hold) of the RSS readings: 0, every `everyMs`, up to the end. */
export function markOffsetsMs(durationMs: number, everyMs: number): number[] {
  const offsets: number[] = [];
  for (let offsetMs = 0; offsetMs <= durationMs; offsetMs += everyMs) offsets.push(offsetMs);
  return offsets;
}

function slopePerMin(readings: readonly { offsetMs: number; rssKb: number }[]): number | null {
  const n = readings.length;
  const meanX = readings.reduce((sum, r) => sum + r.offsetMs, 0) / n;
  const meanY = readings.reduce((sum, r) => sum + r.rssKb, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const r of readings) {
    covariance += (r.offsetMs - meanX) * (r.rssKb - meanY);
    variance += (r.offsetMs - meanX) ** 2;
  }
  return variance === 0 ? null : (covariance / variance) * 60_000;
}
