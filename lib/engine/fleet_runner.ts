import { setImmediate } from "node:timers";
import type { FleetSpec, Scenario } from "../config/scenario.ts";
import type { FleetTally } from "../metrics/fleet_tally.ts";
import type { RunMetrics } from "../metrics/run_metrics.ts";
import { DEFAULT_BACKOFF } from "../transport/backoff.ts";
import type { BrokerTarget } from "../transport/client_factory.ts";
import { ConnectGate } from "../transport/connect_gate.ts";
import { buildPayload } from "../transport/envelope.ts";
import type { ClassifiedError, ErrorCategory } from "../transport/error_category.ts";
import {
  type ConnectionEvents,
  type PublishOptions,
  type PublishOutcome,
  SensorConnection,
} from "../transport/sensor_connection.ts";
import type { Clock } from "./clock.ts";
import type { FleetHandle, FleetPhase, HoldMark } from "./fleet_handle.ts";
import { type SensorRange, SensorTable } from "./sensor_table.ts";
import { stagePositionAt } from "./stage_plan.ts";
import { deviceHooksFor } from "./device_hooks.ts";
import { firstDueOnGridMs } from "./send_phase.ts";
import { TimingWheel } from "./timing_wheel.ts";

/** How often churn is rolled for each connected sensor, in ms. */
const CHURN_CHECK_MS = 1_000;

/** How a fleet's telemetry goes out: QoS, retain flag and its MQTT 5 properties. */
function publishOptionsFor(fleet: FleetSpec): PublishOptions {
  const properties: NonNullable<PublishOptions["properties"]> = {};
  if (Object.keys(fleet.userProperties).length > 0) {
    properties.userProperties = { ...fleet.userProperties };
  }
  if (fleet.messageExpirySec > 0) properties.messageExpiryInterval = fleet.messageExpirySec;
  if (fleet.contentType !== null) properties.contentType = fleet.contentType;
  return Object.keys(properties).length === 0
    ? { qos: fleet.qos, retain: fleet.retain }
    : { qos: fleet.qos, retain: fleet.retain, properties };
}

/** Relative change of the stage rate factor that re-times the sensors. */
const RATE_STEP = 0.02;

/** How often a staged run checks the stage plan, in ms. */
const STAGE_CHECK_MS = 100;
/** How long a sensor switched off by a stage may take to disconnect, in ms. */
const STAGE_DISCONNECT_TIMEOUT_MS = 2_000;

/** Padded payloads smaller than this many bytes carry no reading (it would not fit). */
const MIN_PAYLOAD_WITH_READING = 160;

/** Most messages one flood pump writes before yielding to the event loop. */
const FLOOD_BATCH = 64;

const PUBLISH_FAILURES: Partial<Record<ErrorCategory, string>> = {
  ackTimeout: "no acknowledgement within the ack timeout",
  inflightLost: "connection lost before the acknowledgement",
  publishFailed: "publish refused",
};

/** Options of a {@linkcode FleetRunner}. */
export interface FleetRunnerOptions {
  /** The validated scenario. */
  readonly scenario: Scenario;
  /** Where and how to connect. */
  readonly target: BrokerTarget;
  /** Where facts are recorded. */
  readonly metrics: RunMetrics;
  /** Time source; monotonic ms. */
  readonly clock: Clock;
  /** Converts the clock's ms to ms since the Unix epoch (for payload `ts`). */
  readonly toEpochMs: (clockMs: number) => number;
  /** Random numbers in [0, 1) for backoff jitter. */
  readonly random: () => number;
  /** The run's id, carried in every message's envelope. */
  readonly runId: string;
  /** The sensors this runner drives; default every sensor. */
  readonly range?: SensorRange;
  /** Share of the connect rate and concurrency this runner may use; default 1. */
  readonly gateShare?: number;
  /** Where the send grid starts (clock ms), shared by every worker; default start()'s time. */
  readonly originMs?: number;
}

/**
 * The sensors of one process: connects them through a paced gate, drives every send
 * from one timing wheel (open model: each send has an intended time; lateness and
 * latency are measured from it), and records what happened into {@linkcode RunMetrics}.
 *
 * Nothing here prints; nothing is queued: offline and backpressured sends are counted.
 */
export class FleetRunner implements FleetHandle {
  readonly #options: FleetRunnerOptions;
  readonly #table: SensorTable;
  readonly #connections: SensorConnection[] = [];
  readonly #sentBySensor: Uint32Array;
  readonly #firstSettled: Uint8Array;
  /** Current jitter offset of each sensor, in ms (fleets with jitter only). */
  readonly #jitterOffsetMs: Float32Array;
  readonly #gate: ConnectGate;
  readonly #wheel: TimingWheel;
  #settledCount = 0;
  #connectedOnceCount = 0;
  readonly #connectErrors = new Map<ErrorCategory, { count: number; error: ClassifiedError }>();
  #phase: FleetPhase = "ramp-up";
  #rampDoneMs: number | null = null;
  #sending = false;
  /** How each fleet's telemetry is published (QoS, retain, MQTT 5 properties). */
  readonly #publishOptions: readonly PublishOptions[];
  #churnTimer: number | undefined;
  #stage = 0;
  /** The stage plan's publish rate factor now (1 without stages). */
  #rateFactor = 1;
  #active = 0;
  #stageTimer: number | undefined;
  /** Readings kept by offline sensors of buffering fleets, oldest first. */
  readonly #offlineBuffers = new Map<number, { intendedMs: number; reading: string }[]>();
  #holdMark: HoldMark | null = null;
  /** Where every sensor's send grid starts (clock ms); set by start(). */
  #originMs = 0;

  /** Builds the fleet (identities, telemetry state, connections); opens nothing. */
  constructor(options: FleetRunnerOptions) {
    this.#options = options;
    const { scenario, clock } = options;
    this.#table = new SensorTable(scenario, options.range);
    const count = this.#table.count;
    this.#sentBySensor = new Uint32Array(count);
    this.#firstSettled = new Uint8Array(count);
    this.#jitterOffsetMs = new Float32Array(
      scenario.fleets.some((fleet) => fleet.jitterMs > 0) ? count : 0,
    );
    const share = options.gateShare ?? 1;
    this.#gate = new ConnectGate({
      ratePerSec: Math.max(1, scenario.connectRatePerSec * share),
      concurrency: Math.max(1, Math.floor(scenario.connectConcurrency * share)),
      clock,
    });
    this.#wheel = new TimingWheel({
      clock,
      // A slot fires once it has fully passed, so a send is up to one slot late by
      // design: 2 ms slots keep that well under the 10 ms lateness budget, and 500
      // wake-ups a second cost next to nothing. 16,384 slots cover intervals to 32 s
      // without the overflow list.
      slotMs: 2,
      ringSlots: 16_384,
      capacity: count,
      onDue: (index, intendedMs) => this.#onDue(index, intendedMs),
    });
    const events = this.#connectionEvents();
    const bind = scenario.bindAddresses;
    const rangeStart = options.range?.start ?? 0;
    const context = {
      target: options.target,
      gate: this.#gate,
      clock,
      backoff: DEFAULT_BACKOFF,
      random: options.random,
      connectTimeoutMs: scenario.connectTimeoutMs,
      maxInflight: scenario.maxInflight,
      events,
    };
    const hooks = scenario.fleets.map((fleet) => deviceHooksFor(this.#table, fleet, scenario.seed));
    this.#publishOptions = scenario.fleets.map(publishOptionsFor);
    for (let index = 0; index < count; index++) {
      this.#connections.push(
        new SensorConnection(
          index,
          this.#table.clientIds[index],
          context,
          bind.length === 0 ? undefined : bind[(rangeStart + index) % bind.length],
          hooks[this.#table.fleetOf[index]],
        ),
      );
    }
  }

  /** The current phase. */
  get phase(): FleetPhase {
    return this.#phase;
  }

  /** Sensors that have connected or failed their first attempt (ramp-up progress). */
  get settledCount(): number {
    return this.#settledCount;
  }

  /** Sensors that connected at least once. */
  get connectedOnceCount(): number {
    return this.#connectedOnceCount;
  }

  /** The most frequent reason connect attempts failed, or null when none failed. */
  mostCommonConnectError(): ClassifiedError | null {
    let best: { count: number; error: ClassifiedError } | null = null;
    for (const entry of this.#connectErrors.values()) {
      if (best === null || entry.count > best.count) best = entry;
    }
    return best?.error ?? null;
  }

  /** Clock time when every sensor had its first attempt settled; null before. */
  get rampDoneMs(): number | null {
    return this.#rampDoneMs;
  }

  /** QoS 1/2 publishes waiting for acknowledgement across the fleet. */
  get inflightCount(): number {
    let count = 0;
    for (const connection of this.#connections) {
      count += connection.inflightCount;
    }
    return count;
  }

  /** Publishes written per sensor id (the probe's expected counts). */
  sentBySensor(): Map<string, number> {
    const sent = new Map<string, number>();
    this.#table.sensorIds.forEach((id, index) => sent.set(id, this.#sentBySensor[index]));
    return sent;
  }

  /** Notes the sent and acked counts now (the start of the rates window). */
  markHold(): void {
    const { sent, acked } = this.#options.metrics.messages;
    this.#holdMark = { sent, acked };
  }

  /** Holds every connect attempt back at the gate (`true`) or lets them go. */
  holdConnects(held: boolean): void {
    this.#gate.hold(held);
  }

  /** The counts noted by markHold(), or null before. */
  holdMark(): HoldMark | null {
    return this.#holdMark;
  }

  /** 1-based number of the current stage; 0 when the scenario has no stages. */
  get stage(): number {
    return this.#stage;
  }

  /**
   * Starts the scheduler and connects the sensors (paced by the gate): all of them,
   * or as many as the current stage asks for, checked every 100 ms.
   */
  start(): void {
    this.#sending = true;
    this.#originMs = this.#options.originMs ?? this.#options.clock.nowMs();
    this.#wheel.start();
    const { scenario, clock } = this.#options;
    if (scenario.fleets.some((fleet) => fleet.churnPerSensorPerHour > 0)) {
      const churn = () => {
        this.#rollChurn();
        this.#churnTimer = clock.setTimer(churn, CHURN_CHECK_MS);
      };
      this.#churnTimer = clock.setTimer(churn, CHURN_CHECK_MS);
    }
    if (scenario.stages.length === 0) {
      for (const connection of this.#connections) connection.start();
      return;
    }
    // A staged run has no separate ramp-up: the stages are the run.
    this.#rampDoneMs = clock.nowMs();
    this.#phase = "running";
    const startMs = clock.nowMs();
    const follow = () => {
      this.#followStages(clock.nowMs() - startMs);
      this.#stageTimer = clock.setTimer(follow, STAGE_CHECK_MS);
    };
    follow();
  }

  /** The tally of the fleet sensor `index` belongs to. */
  #tally(index: number): FleetTally {
    return this.#options.metrics.fleets[this.#table.fleetOf[index]];
  }

  /** A sensor's period between sends now: its fleet's interval over the stage's rate factor. */
  #periodMs(index: number): number {
    const intervalMs = this.#table.fleets[this.#table.fleetOf[index]].intervalMs;
    return Math.max(1, Math.round(intervalMs / this.#rateFactor));
  }

  /**
   * Churn: each connected sensor of a churning fleet drops its connection with the
   * probability its Poisson rate gives for one check interval.
   */
  #rollChurn(): void {
    const table = this.#table;
    for (let index = 0; index < this.#connections.length; index++) {
      const fleet = table.fleets[table.fleetOf[index]];
      if (fleet.churnPerSensorPerHour === 0 || !this.#connections[index].isConnected) continue;
      const chance = 1 - Math.exp(-(fleet.churnPerSensorPerHour * CHURN_CHECK_MS) / 3_600_000);
      if (this.#options.random() < chance) {
        this.#connections[index].drop(fleet.churnOfflineMs);
      }
    }
  }

  /** Connects or disconnects sensors, in index order, to match the stage plan. */
  #followStages(elapsedMs: number): void {
    const { stage, targetSensors, rateFactor } = stagePositionAt(
      this.#options.scenario.stages,
      elapsedMs,
    );
    this.#stage = stage;
    // A rate change re-times every scheduled sensor; small drifts are not worth it.
    if (Math.abs(rateFactor - this.#rateFactor) > this.#rateFactor * RATE_STEP) {
      this.#rateFactor = rateFactor;
      for (let index = 0; index < this.#connections.length; index++) {
        if (!this.#wheel.has(index)) continue;
        this.#wheel.setPeriod(index, this.#periodMs(index));
      }
    }
    const rangeStart = this.#options.range?.start ?? 0;
    const wanted = Math.min(Math.max(0, targetSensors - rangeStart), this.#connections.length);
    while (this.#active < wanted) {
      this.#connections[this.#active++].start();
    }
    while (this.#active > wanted) {
      const index = --this.#active;
      const connection = this.#connections[index];
      // A sensor switched off by the plan is not a lost connection: no error, no reconnect.
      if (connection.isConnected) this.#options.metrics.connections.connected--;
      this.#wheel.remove(index);
      const kept = this.#offlineBuffers.get(index)?.length ?? 0;
      this.#options.metrics.messages.offlineDropped += kept;
      this.#tally(index).messages.offlineDropped += kept;
      this.#offlineBuffers.delete(index);
      void connection.stop(STAGE_DISCONNECT_TIMEOUT_MS);
    }
  }

  /** Fails QoS 1/2 publishes older than the ack timeout; call about once a second. */
  expireInflight(): void {
    const nowMs = this.#options.clock.nowMs();
    for (const connection of this.#connections) {
      connection.expireInflight(nowMs, this.#options.scenario.ackTimeoutMs);
    }
  }

  /** Stops scheduling sends (the run's duration is over or it was interrupted). */
  stopSending(): void {
    const clock = this.#options.clock;
    if (this.#stageTimer !== undefined) clock.clearTimer(this.#stageTimer);
    if (this.#churnTimer !== undefined) clock.clearTimer(this.#churnTimer);
    this.#stageTimer = undefined;
    this.#churnTimer = undefined;
    this.#sending = false;
    this.#wheel.stop();
    this.#gate.close();
    this.#phase = "draining";
  }

  /**
   * Disconnects every sensor (DISCONNECT, then close), waiting at most `timeoutMs`
   * each; QoS 1/2 publishes still unacknowledged are counted as failed (`ackTimeout`).
   */
  async disconnect(timeoutMs: number): Promise<void> {
    this.stopSending();
    // Readings still kept by offline sensors were never sent.
    for (const [index, buffer] of this.#offlineBuffers) {
      this.#options.metrics.messages.offlineDropped += buffer.length;
      this.#tally(index).messages.offlineDropped += buffer.length;
    }
    this.#offlineBuffers.clear();
    let pending = 0;
    this.#connections.forEach((connection, index) => {
      const taken = connection.takeInflight();
      pending += taken;
      this.#tally(index).messages.failed += taken;
    });
    if (pending > 0) {
      const metrics = this.#options.metrics;
      metrics.messages.failed += pending;
      metrics.recordError(
        "ackTimeout",
        "no acknowledgement before the run ended",
        pending,
      );
    }
    await Promise.all(
      this.#connections.map((connection) => connection.stop(timeoutMs)),
    );
    this.#phase = "stopped";
  }

  #onDue(index: number, intendedMs: number): void {
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
  #pump(index: number): void {
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
      connection.whenWritable(() => this.#pump(index));
      return;
    }
    setImmediate(() => this.#pump(index));
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
      const outcome = this.#publish(index, fleet, intendedMs, reading);
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
      this.#keepOffline(index, fleet, intendedMs, reading);
      return "offline";
    }
    const outcome = this.#publish(index, fleet, intendedMs, reading);
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
  #publish(index: number, fleet: FleetSpec, intendedMs: number, reading: string): PublishOutcome {
    const table = this.#table;
    const seq = this.#sentBySensor[index];
    const epochMs = this.#options.toEpochMs(intendedMs);
    const template = table.payloadTemplates[table.fleetOf[index]];
    const body = template !== null
      ? template({
        sensorId: table.sensorIds[index],
        index: table.globalIndex(index),
        seq,
        tsMs: epochMs,
        identity: table.identities[index]!,
        readingJson: reading,
      })
      : reading === ""
      ? ""
      : `${table.identityJson[index]},${reading}`;
    const payload = buildPayload(
      table.sensorIds[index],
      seq,
      epochMs,
      body,
      fleet.payloadBytes,
      this.#options.runId,
    );
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
   * A reading due while the sensor is offline: kept for the reconnect when its fleet
   * buffers (the oldest is dropped when the buffer is full), dropped otherwise.
   */
  #keepOffline(index: number, fleet: FleetSpec, intendedMs: number, reading: string): void {
    const messages = this.#options.metrics.messages;
    const tally = this.#tally(index).messages;
    if (fleet.offlineBufferSize === 0) {
      messages.offlineDropped++;
      tally.offlineDropped++;
      return;
    }
    const buffer = this.#offlineBuffers.get(index) ?? [];
    this.#offlineBuffers.set(index, buffer);
    if (buffer.length === fleet.offlineBufferSize) {
      buffer.shift();
      messages.offlineDropped++;
      tally.offlineDropped++;
    }
    buffer.push({ intendedMs, reading });
    messages.offlineBuffered++;
  }

  /**
   * Publishes what a sensor kept while offline, oldest first, with their original
   * times (so their latency shows how late they arrive); stops at backpressure and
   * goes on when the socket drains.
   */
  #flushOffline(index: number): void {
    const buffer = this.#offlineBuffers.get(index);
    if (buffer === undefined) return;
    const fleet = this.#table.fleets[this.#table.fleetOf[index]];
    while (buffer.length > 0) {
      const outcome = this.#publish(index, fleet, buffer[0].intendedMs, buffer[0].reading);
      if (outcome === "offline") return;
      if (outcome === "backpressured") {
        this.#connections[index].whenWritable(() => this.#flushOffline(index));
        return;
      }
      buffer.shift();
    }
    this.#offlineBuffers.delete(index);
  }

  /** Puts a sensor at its place on the run's send grid (see send_phase.ts), once. */
  #joinSchedule(index: number): void {
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

  #settleFirstAttempt(index: number): void {
    if (this.#firstSettled[index] === 1) return;
    this.#firstSettled[index] = 1;
    this.#settledCount++;
    if (this.#settledCount === this.#connections.length) {
      this.#rampDoneMs = this.#options.clock.nowMs();
      if (this.#phase === "ramp-up") this.#phase = "running";
    }
  }

  #connectionEvents(): ConnectionEvents {
    const { metrics, clock, scenario } = this.#options;
    const failPublishes = (
      index: number,
      count: number,
      category: ErrorCategory,
      message?: string,
    ) => {
      metrics.messages.failed += count;
      this.#tally(index).messages.failed += count;
      metrics.recordError(category, message ?? PUBLISH_FAILURES[category] ?? category, count);
    };
    return {
      connected: (index, connectUs, isReconnect, offlineUs) => {
        metrics.recordConnected(connectUs, isReconnect, offlineUs);
        this.#tally(index).histograms.connect.recordUs(connectUs);
        if (!isReconnect) this.#connectedOnceCount++;
        this.#settleFirstAttempt(index);
        this.#flushOffline(index);
        if (scenario.flood) {
          if (this.#sending) this.#pump(index);
        } else {
          this.#joinSchedule(index);
        }
      },
      connectFailed: (index, error) => {
        metrics.recordConnectFailed(error.category, error.message);
        const entry = this.#connectErrors.get(error.category);
        if (entry === undefined) this.#connectErrors.set(error.category, { count: 1, error });
        else entry.count++;
        this.#settleFirstAttempt(index);
        // A sensor that cannot connect still has readings due: they count as
        // offline-dropped (or buffered), so `scheduled` is the whole fleet's.
        if (!scenario.flood) this.#joinSchedule(index);
      },
      disconnected: (_index, error) => {
        metrics.recordDisconnected();
        metrics.recordError(error.category, error.message);
      },
      churned: () => metrics.recordChurned(),
      acked: (index, intendedMs) => {
        const ackUs = (clock.nowMs() - intendedMs) * 1000;
        metrics.recordAck(ackUs);
        const tally = this.#tally(index);
        tally.messages.acked++;
        tally.histograms.ack.recordUs(ackUs);
      },
      publishFailed: (index, count, category, message) =>
        failPublishes(index, count, category, message),
    };
  }
}
