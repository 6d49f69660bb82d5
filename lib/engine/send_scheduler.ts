import { setImmediate } from "node:timers";
import type { FleetSpec, Scenario } from "../config/scenario.ts";
import type { FleetTally } from "../metrics/fleet_tally.ts";
import type { RunMetrics } from "../metrics/run_metrics.ts";
import type { PublishOptions, PublishOutcome } from "../transport/connection_types.ts";
import type { SensorConnection } from "../transport/sensor_connection.ts";
import type { Clock } from "./clock.ts";
import { OfflineBuffers } from "./offline_buffers.ts";
import { firstDueOnGridMs } from "./send_phase.ts";
import type { SensorTable } from "./sensor_table.ts";
import { publishOptionsFor, telemetryPayload } from "./telemetry_message.ts";
import { TimingWheel } from "./timing_wheel.ts";

/** Padded payloads smaller than this many bytes carry no reading (it would not fit). */
const MIN_PAYLOAD_WITH_READING = 160;

/** Most messages one flood pump writes before yielding to the event loop. */
const FLOOD_BATCH = 64;

/** What a {@linkcode SendScheduler} works with: the runner's sensors and seams. */
export interface SendSchedulerOptions {
  /** The validated scenario. */
  readonly scenario: Scenario;
  /** The sensors. */
  readonly table: SensorTable;
  /** Their connections, by sensor index. */
  readonly connections: readonly SensorConnection[];
  /** Where sends are counted. */
  readonly metrics: RunMetrics;
  /** Time source; monotonic ms. */
  readonly clock: Clock;
  /** Converts the clock's ms to ms since the Unix epoch (payload `ts`). */
  readonly toEpochMs: (clockMs: number) => number;
  /** Random numbers in [0, 1) for send jitter. */
  readonly random: () => number;
  /** The run's id, carried in every message's envelope. */
  readonly runId: string;
}

/**
 * Every send of a fleet: one timing wheel for all sensors (open model: each send has an
 * intended time, lateness is measured from it), each sensor at its place on the run's
 * grid, jitter, the stage's rate factor, readings kept while offline, and flood pumps.
 * Nothing is queued: offline and backpressured sends are counted.
 */
export class SendScheduler {
  readonly #options: SendSchedulerOptions;
  readonly #table: SensorTable;
  readonly #connections: readonly SensorConnection[];
  readonly #wheel: TimingWheel;
  readonly #sentBySensor: Uint32Array;
  /** Current jitter offset of each sensor, in ms (fleets with jitter only). */
  readonly #jitterOffsetMs: Float32Array;
  /** How each fleet's telemetry is published (QoS, retain, MQTT 5 properties). */
  readonly #publishOptions: readonly PublishOptions[];
  /** Readings kept by offline sensors of buffering fleets. */
  readonly #offline: OfflineBuffers;
  /** The stage plan's publish rate factor now (1 without stages). */
  #rateFactor = 1;
  /** Where every sensor's send grid starts (clock ms); set by start(). */
  #originMs = 0;
  #sending = false;

  /** Prepares the wheel and counters; nothing is due until start(). */
  constructor(options: SendSchedulerOptions) {
    this.#options = options;
    this.#table = options.table;
    this.#connections = options.connections;
    const count = options.table.count;
    this.#sentBySensor = new Uint32Array(count);
    this.#jitterOffsetMs = new Float32Array(
      options.scenario.fleets.some((fleet) => fleet.jitterMs > 0) ? count : 0,
    );
    this.#publishOptions = options.scenario.fleets.map(publishOptionsFor);
    this.#offline = new OfflineBuffers({
      dropped: (index, dropped) => {
        options.metrics.messages.offlineDropped += dropped;
        this.#tally(index).messages.offlineDropped += dropped;
      },
      kept: () => void options.metrics.messages.offlineBuffered++,
    });
    this.#wheel = new TimingWheel({
      clock: options.clock,
      // A slot fires once it has fully passed, so a send is up to one slot late by
      // design: 2 ms slots keep that well under the 10 ms lateness budget, and 500
      // wake-ups a second cost next to nothing. 16,384 slots cover intervals to 32 s
      // without the overflow list.
      slotMs: 2,
      ringSlots: 16_384,
      capacity: count,
      onDue: (index, intendedMs) => this.onDue(index, intendedMs),
    });
  }

  /** Publishes written per sensor, by index (the probe's expected counts). */
  get sentBySensor(): Uint32Array {
    return this.#sentBySensor;
  }

  /** Starts the wheel; every sensor's grid starts at `originMs` (clock ms). */
  start(originMs: number): void {
    this.#originMs = originMs;
    this.#sending = true;
    this.#wheel.start();
  }

  /** Stops every send. */
  stop(): void {
    this.#sending = false;
    this.#wheel.stop();
  }

  /** Takes sensor `index` out (a stage let it go): no more sends, its kept readings dropped. */
  remove(index: number): void {
    this.#wheel.remove(index);
    this.#offline.drop(index);
  }

  /** Drops every kept reading (the run ends: they were never sent). */
  dropOffline(): void {
    this.#offline.dropAll();
  }

  /** Re-times every scheduled sensor for a stage's publish rate factor. */
  setRateFactor(rateFactor: number): void {
    this.#rateFactor = rateFactor;
    for (let index = 0; index < this.#connections.length; index++) {
      if (!this.#wheel.has(index)) continue;
      this.#wheel.setPeriod(index, this.#periodMs(index));
    }
  }

  /** True between start() and stop(). */
  get sending(): boolean {
    return this.#sending;
  }

  /** The stage plan's publish rate factor now. */
  get rateFactor(): number {
    return this.#rateFactor;
  }

  /** A sensor is due at `intendedMs` (the wheel calls this). */
  onDue(index: number, intendedMs: number): void {
    if (!this.#sending) return;
    const table = this.#table;
    const fleet = table.fleets[table.fleetOf[index]];
    if (fleet.jitterMs > 0) {
      // The wheel keeps the unjittered grid; each send moves by its own offset on it.
      const offsetMs = this.#options.random() * fleet.jitterMs;
      const gridMs = intendedMs - this.#jitterOffsetMs[index];
      this.#jitterOffsetMs[index] = offsetMs;
      const periodMs = this.#periodMs(index);
      this.#wheel.add(index, gridMs + periodMs + offsetMs, periodMs);
    }
    this.#send(index, intendedMs, fleet);
  }

  /**
   * Flood mode: publishes back to back until the socket or window is full, then waits
   * for it to drain. A batch is capped so other sensors and timers get their turn.
   */
  pump(index: number): void {
    if (!this.#sending) return;
    const connection = this.#connections[index];
    const fleet = this.#table.fleets[this.#table.fleetOf[index]];
    let stopped: PublishOutcome | null = null;
    // One time per batch: a flood's sends are not scheduled, so there is no lateness.
    const nowMs = this.#options.clock.nowMs();
    connection.batch(() => {
      for (let attempt = 0; attempt < FLOOD_BATCH; attempt++) {
        const outcome = this.#send(index, nowMs, fleet);
        if (outcome === "offline" || outcome === "backpressured") {
          stopped = outcome;
          return;
        }
      }
    });
    // Offline: the next connect restarts the pump.
    if (stopped === "offline") return;
    if (stopped === "backpressured") {
      connection.whenWritable(() => this.pump(index));
      return;
    }
    setImmediate(() => this.pump(index));
  }

  #send(index: number, intendedMs: number, fleet: FleetSpec): PublishOutcome | "silent" {
    const { metrics, clock } = this.#options;
    const table = this.#table;
    const epochMs = this.#options.toEpochMs(intendedMs);
    // Small padded payloads carry only the envelope: a reading would not fit anyway.
    const reading = fleet.payloadBytes > 0 && fleet.payloadBytes < MIN_PAYLOAD_WITH_READING
      ? ""
      : table.profiles[table.fleetOf[index]].nextReadingJson(table.states[index], epochMs);
    // An event-driven device (a door) has nothing to say at most ticks.
    if (reading === null) return "silent";
    const messages = metrics.messages;
    if (this.#options.scenario.flood) {
      // A flood has no schedule: a message is one the broker took; a full socket or an
      // offline sensor only pauses the pump (nothing was due).
      if (!this.#connections[index].isConnected) return "offline";
      const outcome = this.#publish(index, intendedMs, reading);
      if (outcome === "sent") {
        messages.scheduled++;
        this.#tally(index).messages.scheduled++;
      }
      return outcome;
    }
    const tally = this.#tally(index);
    messages.scheduled++;
    tally.messages.scheduled++;
    const latenessUs = (clock.nowMs() - intendedMs) * 1000;
    metrics.histograms.lateness.recordUs(latenessUs);
    tally.histograms.lateness.recordUs(latenessUs);
    if (!this.#connections[index].isConnected) {
      this.#offline.keep(index, fleet.offlineBufferSize, { intendedMs, reading });
      return "offline";
    }
    const outcome = this.#publish(index, intendedMs, reading);
    if (outcome === "backpressured") {
      messages.backpressured++;
      tally.messages.backpressured++;
    } else if (outcome === "offline") {
      messages.offlineDropped++;
      tally.messages.offlineDropped++;
    }
    return outcome;
  }

  /**
   * Publishes one reading (profile members, or "" for none) with the sensor's next seq,
   * in its fleet's payload template or the default body; counts it when written.
   */
  #publish(index: number, intendedMs: number, reading: string): PublishOutcome {
    const table = this.#table;
    const seq = this.#sentBySensor[index];
    const epochMs = this.#options.toEpochMs(intendedMs);
    const payload = telemetryPayload(table, index, seq, epochMs, reading, this.#options.runId);
    const outcome = this.#connections[index].publish(
      this.#table.topics[index],
      payload,
      this.#publishOptions[this.#table.fleetOf[index]],
      intendedMs,
    );
    if (outcome === "sent") {
      this.#options.metrics.messages.sent++;
      this.#tally(index).messages.sent++;
      this.#sentBySensor[index] = seq + 1;
    }
    return outcome;
  }

  /**
   * Publishes what a sensor kept while offline, oldest first, with their original
   * times (so their latency shows how late they arrive); stops at backpressure and
   * goes on when the socket drains.
   */
  flushOffline(index: number): void {
    let stalled = false;
    const left = this.#offline.flush(index, (kept) => {
      const outcome = this.#publish(index, kept.intendedMs, kept.reading);
      stalled = outcome === "backpressured";
      return outcome === "sent";
    });
    if (left && stalled) this.#connections[index].whenWritable(() => this.flushOffline(index));
  }

  /** Puts a sensor at its place on the run's send grid (see send_phase.ts), once. */
  join(index: number): void {
    if (!this.#sending || this.#wheel.has(index)) return;
    const periodMs = this.#periodMs(index);
    const firstDueMs = firstDueOnGridMs(
      this.#originMs,
      this.#table.phases[index] * periodMs,
      periodMs,
      this.#options.clock.nowMs(),
    );
    this.#wheel.add(index, firstDueMs, periodMs);
  }

  /** A sensor's period between sends now: its fleet's interval over the stage's rate factor. */
  #periodMs(index: number): number {
    const intervalMs = this.#table.fleets[this.#table.fleetOf[index]].intervalMs;
    return Math.max(1, Math.round(intervalMs / this.#rateFactor));
  }

  /** The tally of the fleet sensor `index` belongs to. */
  #tally(index: number): FleetTally {
    return this.#options.metrics.fleets[this.#table.fleetOf[index]];
  }
}
