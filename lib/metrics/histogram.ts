// The three parts iotload uses, not the package's index: that loads every other
// histogram kind, the log reader and writer and the recorder too (about 7 MB of RSS).
import type { Histogram as HdrHistogram, JsHistogram } from "hdr-histogram-js";
import float64Module from "hdr-histogram-js/dist/Float64Histogram.js";
import jsHistogramModule from "hdr-histogram-js/dist/JsHistogram.js";
import {
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
} from "hdr-histogram-js/dist/encoding.js";

// CommonJS modules: each class is their `default` export.
const Float64Histogram = float64Module.default;
const JsHistogramClass = jsHistogramModule.default;

/** Default highest trackable latency in microseconds: 3,600,000,000 us (1 h). */
export const DEFAULT_HIGHEST_US = 3_600_000_000;

const LOWEST_DISCERNIBLE_US = 1;
const SIGNIFICANT_DIGITS = 3;
// Float64 counts stay exact past 2^32 values per bucket, which merged multi-shard runs
// can reach; 32-bit counts would wrap silently.
const BIT_BUCKET_SIZE = 64;

/**
 * Latency distribution summary, every field in milliseconds (rounded to 3 decimals,
 * i.e. whole microseconds) except `count`; all fields are 0 when `count` is 0.
 *
 * Values carry HDR's 3-significant-digit resolution: `min` is the lowest and `max`
 * the highest value equivalent to the recorded extremes, so they survive
 * {@linkcode LatencyHistogram.encode} and {@linkcode LatencyHistogram.decode} unchanged.
 */
export interface LatencyStats {
  /** Number of recorded values. */
  count: number;
  /** Smallest recorded value, ms. */
  min: number;
  /** Median, ms. */
  p50: number;
  /** 90th percentile, ms. */
  p90: number;
  /** 99th percentile, ms. */
  p99: number;
  /** 99.9th percentile, ms. */
  p999: number;
  /** Largest recorded value, ms. */
  max: number;
  /** Arithmetic mean, ms. */
  mean: number;
}

function buildHdr(highestUs: number): JsHistogram {
  const histogram = new Float64Histogram(
    LOWEST_DISCERNIBLE_US,
    highestUs,
    SIGNIFICANT_DIGITS,
  );
  // A resize would hide a misconfigured range and cost an allocation on the hot path;
  // out-of-range values are clamped and counted instead.
  histogram.autoResize = false;
  return histogram;
}

function usToMs(valueUs: number): number {
  return Math.round(valueUs) / 1000;
}

/**
 * HDR histogram of latencies in microseconds with a fixed range (1 us to `highestUs`,
 * default {@linkcode DEFAULT_HIGHEST_US}) and 3 significant digits; merges exactly.
 */
export class LatencyHistogram {
  /** Highest trackable value in microseconds; larger values are clamped to it. */
  readonly highestUs: number;
  #hdr: JsHistogram;
  #overflowCount = 0;

  /** Creates an empty histogram tracking 0 to `highestUs` microseconds (default 1 h). */
  constructor(highestUs: number = DEFAULT_HIGHEST_US) {
    if (
      !Number.isSafeInteger(highestUs) || highestUs < 2 * LOWEST_DISCERNIBLE_US
    ) {
      throw new RangeError(
        `highestUs must be an integer >= ${2 * LOWEST_DISCERNIBLE_US}, got ${highestUs}`,
      );
    }
    this.highestUs = highestUs;
    this.#hdr = buildHdr(highestUs);
  }

  /**
   * Records one latency in microseconds, rounded to a whole microsecond.
   *
   * Negative values (clock steps) are recorded as 0; values above `highestUs` are
   * recorded as `highestUs` and counted in {@linkcode overflowCount}. NaN throws.
   */
  recordUs(valueUs: number): void {
    if (Number.isNaN(valueUs)) {
      throw new RangeError(
        "recordUs() needs a number of microseconds, got NaN",
      );
    }
    if (valueUs > this.highestUs) {
      this.#overflowCount++;
      this.#hdr.recordValue(this.highestUs);
    } else if (valueUs <= 0) {
      this.#hdr.recordValue(0);
    } else {
      this.#hdr.recordValue(Math.round(valueUs));
    }
  }

  /** Number of recorded values, overflows included. */
  get count(): number {
    return this.#hdr.totalCount;
  }

  /** Number of recorded values that were above `highestUs` and clamped to it. */
  get overflowCount(): number {
    return this.#overflowCount;
  }

  /**
   * Value in microseconds at percentile `p` (0 to 100; 100 is the max), at HDR's
   * 3-digit resolution; 0 when empty.
   */
  percentileUs(p: number): number {
    if (this.#hdr.totalCount === 0) return 0;
    return this.#hdr.getValueAtPercentile(p);
  }

  /** Count, min, p50, p90, p99, p99.9, max and mean in milliseconds; all 0 when empty. */
  statsMs(): LatencyStats {
    const count = this.#hdr.totalCount;
    if (count === 0) {
      return {
        count: 0,
        min: 0,
        p50: 0,
        p90: 0,
        p99: 0,
        p999: 0,
        max: 0,
        mean: 0,
      };
    }
    return {
      count,
      min: usToMs(this.percentileUs(0)),
      p50: usToMs(this.percentileUs(50)),
      p90: usToMs(this.percentileUs(90)),
      p99: usToMs(this.percentileUs(99)),
      p999: usToMs(this.percentileUs(99.9)),
      max: usToMs(this.percentileUs(100)),
      mean: usToMs(this.#hdr.mean),
    };
  }

  /**
   * Adds every value of `other` into this histogram (exact, like recording them all)
   * and adds its overflow count. Throws RangeError if `other` holds values above
   * this histogram's `highestUs`.
   */
  merge(other: LatencyHistogram): void {
    this.#addHdr(other.#hdr);
    this.#overflowCount += other.#overflowCount;
  }

  /** A histogram with the same range and values as this one. */
  copy(): LatencyHistogram {
    const copy = new LatencyHistogram(this.highestUs);
    copy.merge(this);
    return copy;
  }

  /**
   * Takes away the values of `other`, which must all be in this histogram (an earlier
   * copy of it): what was recorded since that copy remains.
   */
  subtract(other: LatencyHistogram): void {
    if (other.#hdr.totalCount === 0) return;
    this.#hdr.subtract(other.#hdr);
    this.#overflowCount -= other.#overflowCount;
  }

  /** Sum of the recorded values, in microseconds (count × mean, at HDR's resolution). */
  get sumUs(): number {
    return this.#hdr.totalCount === 0 ? 0 : this.#hdr.mean * this.#hdr.totalCount;
  }

  /**
   * For each bound of `boundsUs` (ascending, within the range), how many recorded
   * values are at or below it, at HDR's resolution: what a Prometheus histogram's
   * cumulative buckets hold.
   */
  countsAtOrBelowUs(boundsUs: readonly number[]): number[] {
    const counts: number[] = [];
    let index = 0;
    let count = 0;
    for (const boundUs of boundsUs) {
      const last = this.#hdr.countsArrayIndex(Math.min(Math.round(boundUs), this.highestUs));
      for (; index <= last; index++) count += this.#hdr.getCountAtIndex(index);
      counts.push(count);
    }
    return counts;
  }

  /** Forgets every recorded value and the overflow count; the range is kept. */
  reset(): void {
    this.#hdr.reset();
    this.#overflowCount = 0;
  }

  /**
   * Encodes the recorded values as HdrHistogram's compressed base64 (V2), readable by
   * any HdrHistogram implementation. The overflow count is not part of the encoding;
   * carry it alongside when it matters.
   */
  encode(): string {
    return encodeIntoCompressedBase64(this.#hdr);
  }

  /**
   * Decodes {@linkcode encode} output into a histogram with range `highestUs`
   * (default {@linkcode DEFAULT_HIGHEST_US}) and an overflow count of 0. Throws Error
   * on malformed input and RangeError if a value lies above `highestUs`.
   */
  static decode(
    encoded: string,
    highestUs: number = DEFAULT_HIGHEST_US,
  ): LatencyHistogram {
    let decoded: HdrHistogram;
    try {
      decoded = decodeFromCompressedBase64(encoded, BIT_BUCKET_SIZE, false);
    } catch (cause) {
      throw new Error(`cannot decode histogram: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (!(decoded instanceof JsHistogramClass)) {
      throw new Error("cannot decode histogram: not a pure-JS histogram");
    }
    const histogram = new LatencyHistogram(highestUs);
    histogram.#addHdr(decoded);
    return histogram;
  }

  #addHdr(other: JsHistogram): void {
    if (other.totalCount === 0) return;
    // A decoded max is the top of its HDR bucket, so it may sit just above highestUs
    // while still being equivalent to it; compare the bottom of that bucket instead.
    if (this.#hdr.lowestEquivalentValue(other.maxValue) > this.highestUs) {
      throw new RangeError(
        `histogram holds values up to ${other.maxValue}us, above this range of ${this.highestUs}us`,
      );
    }
    this.#hdr.add(other);
  }
}
