import process from "node:process";
import type { SecondHealth } from "../metrics/facts.ts";
import { LatencyHistogram } from "../metrics/histogram.ts";
import type { Clock } from "./clock.ts";

/** How the generator process itself is doing. */
export interface GeneratorHealth {
  /** Process CPU time over wall time since start, in percent of one core. */
  cpuPercent: number;
  /** CPU time used since start, user + system, in seconds. */
  cpuSeconds: number;
  /** Wall time since start, in seconds. */
  wallSeconds: number;
  /** Resident set size now, in bytes. */
  rssBytes: number;
  /** Largest resident set size sampled, in bytes. */
  peakRssBytes: number;
  /** p99 event-loop lag, in ms. */
  eventLoopLagP99Ms: number;
  /** Largest event-loop lag, in ms. */
  eventLoopLagMaxMs: number;
}

const LAG_PROBE_INTERVAL_MS = 100;

/**
 * Samples the generator's own CPU, memory and event-loop lag, so a report can say
 * when the generator, not the broker, was the bottleneck.
 *
 * Event-loop lag is how late a 100 ms timer fires.
 */
export class HealthMonitor {
  readonly #clock: Clock;
  readonly #lag = new LatencyHistogram();
  #startCpu = process.cpuUsage();
  #startMs: number;
  #peakRssBytes = 0;
  #timer: number | undefined;
  #expectedMs = 0;
  /** Largest lag since the last takeSecond(), in ms. */
  #secondLagMs = 0;

  /** Creates a monitor; sampling starts with start(). */
  constructor(clock: Clock) {
    this.#clock = clock;
    this.#startMs = clock.nowMs();
  }

  /** Starts the lag probe and resets the CPU baseline. */
  start(): void {
    this.#startCpu = process.cpuUsage();
    this.#startMs = this.#clock.nowMs();
    this.#armLagProbe();
  }

  /** Stops the lag probe. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** Takes a sample now. */
  sample(): GeneratorHealth {
    const cpu = process.cpuUsage(this.#startCpu);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const wallSeconds = Math.max(
      0.001,
      (this.#clock.nowMs() - this.#startMs) / 1000,
    );
    const rssBytes = Deno.memoryUsage().rss;
    if (rssBytes > this.#peakRssBytes) this.#peakRssBytes = rssBytes;
    return {
      cpuPercent: Math.round((cpuSeconds / wallSeconds) * 1000) / 10,
      cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
      wallSeconds: Math.round(wallSeconds * 1000) / 1000,
      rssBytes,
      peakRssBytes: this.#peakRssBytes,
      eventLoopLagP99Ms: Math.round(this.#lag.percentileUs(99)) / 1000,
      eventLoopLagMaxMs: Math.round(this.#lag.percentileUs(100)) / 1000,
    };
  }

  /** CPU so far, memory now and the largest lag since the last call (then forgotten). */
  takeSecond(): SecondHealth {
    const cpu = process.cpuUsage(this.#startCpu);
    const lagMs = this.#secondLagMs;
    this.#secondLagMs = 0;
    return {
      cpuSeconds: Math.round(cpu.user + cpu.system) / 1e6,
      rssBytes: Deno.memoryUsage().rss,
      eventLoopLagMs: Math.round(lagMs * 1000) / 1000,
    };
  }

  #armLagProbe(): void {
    this.#expectedMs = this.#clock.nowMs() + LAG_PROBE_INTERVAL_MS;
    this.#timer = this.#clock.setTimer(() => {
      const lagMs = Math.max(0, this.#clock.nowMs() - this.#expectedMs);
      this.#lag.recordUs(lagMs * 1000);
      if (lagMs > this.#secondLagMs) this.#secondLagMs = lagMs;
      this.#armLagProbe();
    }, LAG_PROBE_INTERVAL_MS);
  }
}
