import type { Scenario } from "../config/scenario.ts";
import type { FleetTally } from "../metrics/fleet_tally.ts";
import type { RunMetrics } from "../metrics/run_metrics.ts";
import { DEFAULT_BACKOFF } from "../transport/backoff.ts";
import type { BrokerTarget } from "../transport/client_factory.ts";
import { ConnectGate } from "../transport/connect_gate.ts";
import type { ClassifiedError, ErrorCategory } from "../transport/error_category.ts";
import type { ConnectionEvents } from "../transport/connection_types.ts";
import { SensorConnection } from "../transport/sensor_connection.ts";
import type { Clock } from "./clock.ts";
import type { FleetHandle, FleetPhase, HoldMark } from "./fleet_handle.ts";
import { SensorTable } from "./sensor_table.ts";
import { type SensorRange, shardFraction, shardRanges, shardStages } from "../config/shard.ts";
import { Churn } from "./churn.ts";
import { StageFollower } from "./stage_follower.ts";
import { type DeviceIdentities, deviceIdentitiesFor } from "./device_credentials.ts";
import { deviceHooksFor } from "./device_hooks.ts";
import { transportFor } from "./transport_choice.ts";
import { SendScheduler } from "./send_scheduler.ts";
import { inWaves } from "./waves.ts";

/** Sensors that disconnect together at the end of a run (the rest wait their turn). */
const DISCONNECTS_AT_ONCE = 500;
/** How long a sensor switched off by a stage may take to disconnect, in ms. */
const STAGE_DISCONNECT_TIMEOUT_MS = 2_000;

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
  /** The sensors this runner drives (global index ranges); default this shard's. */
  readonly ranges?: readonly SensorRange[];
  /** Position of this runner's first sensor among its shard's (stage order); default 0. */
  readonly firstPosition?: number;
  /** Share of the shard's connect rate and concurrency this runner may use; default 1. */
  readonly gateShare?: number;
  /** Where the send grid starts (clock ms), shared by every worker; default start()'s time. */
  readonly originMs?: number;
}

/**
 * The sensors of one process: connects them through a paced gate (reconnects with
 * backoff are each connection's own), follows the stage plan and churn, and leaves
 * every send to its {@linkcode SendScheduler}; what happens is recorded into
 * {@linkcode RunMetrics}. Nothing here prints.
 */
export class FleetRunner implements FleetHandle {
  readonly #options: FleetRunnerOptions;
  readonly #table: SensorTable;
  readonly #connections: SensorConnection[] = [];
  readonly #firstSettled: Uint8Array;
  readonly #gate: ConnectGate;
  /** Every send of the fleet. */
  readonly #sends: SendScheduler;
  #settledCount = 0;
  #connectedOnceCount = 0;
  readonly #connectErrors = new Map<ErrorCategory, { count: number; error: ClassifiedError }>();
  #phase: FleetPhase = "ramp-up";
  #rampDoneMs: number | null = null;
  readonly #churn: Churn;
  /** Each fleet's sensors' own identities, if they have any. */
  readonly #identities: readonly (DeviceIdentities | undefined)[];
  readonly #stages: StageFollower | null;
  #holdMark: HoldMark | null = null;

  /** Builds the fleet (identities, telemetry state, connections); opens nothing. */
  constructor(options: FleetRunnerOptions) {
    this.#options = options;
    const { scenario, clock } = options;
    this.#table = new SensorTable(scenario, options.ranges ?? shardRanges(scenario));
    const count = this.#table.count;
    this.#firstSettled = new Uint8Array(count);
    // The run's connect rate and concurrency are divided among its shards too.
    const share = (options.gateShare ?? 1) * shardFraction(scenario);
    this.#gate = new ConnectGate({
      ratePerSec: Math.max(1, scenario.connectRatePerSec * share),
      concurrency: Math.max(1, Math.floor(scenario.connectConcurrency * share)),
      clock,
    });
    const events = this.#connectionEvents();
    const bind = scenario.bindAddresses;
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
    const epochNowMs = () => options.toEpochMs(clock.nowMs());
    const table = this.#table;
    const identities = scenario.fleets.map((fleet) =>
      deviceIdentitiesFor(
        fleet,
        scenario,
        (index) => table.sensorIds[index],
        (index) => table.globalIndex(index),
      )
    );
    this.#identities = identities;
    const hooks = scenario.fleets.map((fleet, n) =>
      deviceHooksFor(table, fleet, scenario, epochNowMs, identities[n])
    );
    // Each fleet's connections share its context: the same gate, its own client kind.
    const contexts = scenario.fleets.map((fleet) => ({
      ...context,
      transport: transportFor(fleet, scenario),
    }));
    for (let index = 0; index < count; index++) {
      this.#connections.push(
        new SensorConnection(
          index,
          this.#table.clientIds[index],
          contexts[this.#table.fleetOf[index]],
          bind.length === 0 ? undefined : bind[this.#table.globalIndex(index) % bind.length],
          hooks[this.#table.fleetOf[index]],
        ),
      );
    }
    this.#sends = new SendScheduler({
      scenario,
      table: this.#table,
      connections: this.#connections,
      metrics: options.metrics,
      clock,
      toEpochMs: options.toEpochMs,
      random: options.random,
      runId: options.runId,
    });
    const connections = this.#connections;
    this.#churn = new Churn(
      {
        fleetOf: this.#table.fleetOf,
        fleets: this.#table.fleets,
        isConnected: (index) => connections[index].isConnected,
        drop: (index, offlineMs) => connections[index].drop(offlineMs),
      },
      clock,
      options.random,
    );
    this.#stages = scenario.stages.length === 0 ? null : this.#stageFollower();
  }

  /** The stage plan's hold on the sensors: it starts and switches them off. */
  #stageFollower(): StageFollower {
    const connections = this.#connections;
    const sends = this.#sends;
    const metrics = this.#options.metrics;
    return new StageFollower(shardStages(this.#options.scenario), {
      count: connections.length,
      firstIndex: this.#options.firstPosition ?? 0,
      start: (index) => connections[index].start(),
      stop: (index) => {
        const connection = connections[index];
        // A sensor switched off by the plan is not a lost connection: no error, no reconnect.
        if (connection.isConnected) metrics.connections.connected--;
        sends.remove(index);
        void connection.stop(STAGE_DISCONNECT_TIMEOUT_MS);
      },
      get rateFactor() {
        return sends.rateFactor;
      },
      setRateFactor: (factor) => sends.setRateFactor(factor),
    }, this.#options.clock);
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
    this.#table.sensorIds.forEach((id, index) => sent.set(id, this.#sends.sentBySensor[index]));
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

  /** The tally of the fleet sensor `index` belongs to. */
  #tally(index: number): FleetTally {
    return this.#options.metrics.fleets[this.#table.fleetOf[index]];
  }

  /** 1-based number of the current stage; 0 when the scenario has no stages. */
  get stage(): number {
    return this.#stages?.stage ?? 0;
  }

  /**
   * Starts the scheduler and connects the sensors (paced by the gate): all of them,
   * or as many as the current stage asks for, checked every 100 ms.
   */
  start(): void {
    const { clock } = this.#options;
    this.#sends.start(this.#options.originMs ?? clock.nowMs());
    this.#churn.start();
    if (this.#stages === null) {
      for (const connection of this.#connections) connection.start();
      return;
    }
    // A staged run has no separate ramp-up: the stages are the run.
    this.#rampDoneMs = clock.nowMs();
    this.#phase = "running";
    this.#stages.start();
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
    this.#stages?.stop();
    this.#churn.stop();
    this.#sends.stop();
    this.#gate.close();
    this.#phase = "draining";
  }

  /**
   * Disconnects every sensor (DISCONNECT, then close; a few hundred at a time), waiting
   * at most `timeoutMs` in all; QoS 1/2 publishes still unacknowledged are counted as
   * failed (`ackTimeout`).
   */
  async disconnect(timeoutMs: number): Promise<void> {
    this.stopSending();
    // Readings still kept by offline sensors were never sent.
    this.#sends.dropOffline();
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
    // One deadline for all: a sensor whose turn comes late gets what is left of it.
    const clock = this.#options.clock;
    const deadlineMs = clock.nowMs() + timeoutMs;
    await inWaves(
      this.#connections,
      DISCONNECTS_AT_ONCE,
      (connection) => connection.stop(Math.max(0, deadlineMs - clock.nowMs())),
    );
    this.#phase = "stopped";
  }

  /** How a refusal names sensor `index`: its own username, or its client id. */
  #deviceName(index: number): string {
    const identities = this.#identities[this.#table.fleetOf[index]];
    return identities?.username(index) ?? this.#table.clientIds[index];
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
      // A publish the broker's access rules refused names its device, as a refused connect does.
      if (category === "notAuthorized") {
        metrics.failedDevices.record(category, this.#deviceName(index));
      }
    };
    return {
      connected: (index, connectUs, isReconnect, offlineUs) => {
        metrics.recordConnected(connectUs, isReconnect, offlineUs);
        this.#tally(index).histograms.connect.recordUs(connectUs);
        if (!isReconnect) this.#connectedOnceCount++;
        this.#settleFirstAttempt(index);
        this.#sends.flushOffline(index);
        if (scenario.flood) {
          if (this.#sends.sending) this.#sends.pump(index);
        } else {
          this.#sends.join(index);
        }
      },
      connectFailed: (index, error) => {
        metrics.recordConnectFailed(error.category, error.message, this.#deviceName(index));
        const entry = this.#connectErrors.get(error.category);
        if (entry === undefined) this.#connectErrors.set(error.category, { count: 1, error });
        else entry.count++;
        this.#settleFirstAttempt(index);
        // A sensor that cannot connect still has readings due: they count as
        // offline-dropped (or buffered), so `scheduled` is the whole fleet's.
        if (!scenario.flood) this.#sends.join(index);
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
