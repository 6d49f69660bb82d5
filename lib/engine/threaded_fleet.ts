import type { Scenario } from "../config/scenario.ts";
import { shardRanges, splitRanges } from "../config/shard.ts";
import { applyDelta } from "../metrics/metrics_delta.ts";
import type { RunMetrics } from "../metrics/run_metrics.ts";
import type { BrokerTarget } from "../transport/client_factory.ts";
import type { ClassifiedError } from "../transport/error_category.ts";
import type { FleetHandle, HoldMark } from "./fleet_handle.ts";
import type { FleetPhase } from "./fleet_handle.ts";
import { startThread } from "../threads/thread_entry.ts";
import type { FleetWorkerState, FromFleetWorker, ToFleetWorker } from "./worker_messages.ts";

/** Options of a {@linkcode ThreadedFleet}. */
export interface ThreadedFleetOptions {
  /** The validated scenario. */
  readonly scenario: Scenario;
  /** Where and how to connect (its shared timer and stores are not sent). */
  readonly target: BrokerTarget;
  /** Where the workers' deltas are merged. */
  readonly metrics: RunMetrics;
  /** The run's id, for the envelopes. */
  readonly runId: string;
  /** Wall-clock time, in ms since the Unix epoch (the workers' common send grid). */
  readonly epochNowMs: () => number;
  /** Converts ms since the Unix epoch to this thread's clock ms (the workers' ramp-up ends). */
  readonly toClockMs: (epochMs: number) => number;
  /** Worker threads to spread the sensors over. */
  readonly workers: number;
  /** Called when a worker fails; the run should stop. */
  readonly onFailure: (message: string) => void;
}

/**
 * The fleet spread over Deno Workers (one event loop each, so a run can use more than
 * one core): each worker runs an equal part of the shard's sensors and posts its metrics
 * as deltas once a second, merged here exactly.
 */
export class ThreadedFleet implements FleetHandle {
  readonly #options: ThreadedFleetOptions;
  readonly #workers: Worker[] = [];
  readonly #states: (FleetWorkerState | null)[];
  readonly #stopped: Promise<void>[] = [];
  readonly #sent = new Map<string, number>();
  #rampDoneMs: number | null = null;
  #stopping = false;

  /** Spawns the workers; they build their sensors when start() is called. */
  constructor(options: ThreadedFleetOptions) {
    this.#options = options;
    this.#states = Array.from({ length: options.workers }, () => null);
  }

  /** The least advanced phase of any worker. */
  get phase(): FleetPhase {
    const order: FleetPhase[] = ["ramp-up", "running", "draining", "stopped"];
    const phases = this.#states.map((state) => order.indexOf(state?.phase ?? "ramp-up"));
    return order[Math.min(...phases)];
  }

  /** Sensors whose first attempt settled, across workers. */
  get settledCount(): number {
    return this.#sum((state) => state.settledCount);
  }

  /** Sensors that connected at least once, across workers. */
  get connectedOnceCount(): number {
    return this.#sum((state) => state.connectedOnceCount);
  }

  /** When the last worker finished its ramp-up (as seen here), or null. */
  get rampDoneMs(): number | null {
    return this.#rampDoneMs;
  }

  /** The stage the most advanced worker is in (workers follow one plan). */
  get stage(): number {
    return Math.max(0, ...this.#states.map((state) => state?.stage ?? 0));
  }

  /** Unacknowledged QoS 1/2 publishes, as of the workers' last report. */
  get inflightCount(): number {
    return this.#sum((state) => state.inflightCount);
  }

  /** Starts every worker on its range of sensors. */
  start(): void {
    const { scenario, workers } = this.#options;
    const {
      keepaliveTimer: _timer,
      sharedStores: _stores,
      openStream: _stream,
      ...target
    } = this.#options.target;
    const shard = shardRanges(scenario);
    const originEpochMs = this.#options.epochNowMs();
    for (let n = 0; n < workers; n++) {
      const { ranges, firstPosition } = splitRanges(shard, n, workers);
      const worker = startThread("fleet");
      this.#workers.push(worker);
      this.#stopped.push(
        new Promise((resolve) => {
          worker.onmessage = (event: MessageEvent<FromFleetWorker>) => {
            this.#receive(n, event.data, resolve);
          };
          worker.onerror = (event) => {
            event.preventDefault();
            this.#options.onFailure(`fleet worker ${n + 1} failed: ${event.message}`);
            resolve();
          };
        }),
      );
      this.#post(worker, {
        type: "start",
        scenario,
        target,
        ranges,
        firstPosition,
        gateShare: 1 / workers,
        originEpochMs,
        runId: this.#options.runId,
      });
    }
  }

  /** Asks every worker to note its counts now (the start of the rates window). */
  markHold(): void {
    for (const worker of this.#workers) this.#post(worker, { type: "mark-hold" });
  }

  /** Holds every worker's connect attempts back (`true`) or lets them go. */
  holdConnects(held: boolean): void {
    for (const worker of this.#workers) this.#post(worker, { type: "hold-connects", held });
  }

  /** The workers' hold counts added up, once every worker has reported them. */
  holdMark(): HoldMark | null {
    if (!this.#states.every((state) => state?.holdMark)) return null;
    return {
      sent: this.#sum((state) => state.holdMark!.sent),
      acked: this.#sum((state) => state.holdMark!.acked),
    };
  }

  /** Workers expire their own in-flight publishes; nothing to do here. */
  expireInflight(): void {}

  /** Tells every worker to stop scheduling sends. */
  stopSending(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const worker of this.#workers) this.#post(worker, { type: "stop-sending" });
  }

  /** Disconnects every worker's sensors and waits for their final deltas. */
  async disconnect(timeoutMs: number): Promise<void> {
    this.stopSending();
    for (const worker of this.#workers) this.#post(worker, { type: "disconnect", timeoutMs });
    await Promise.all(this.#stopped);
    for (const worker of this.#workers) worker.terminate();
  }

  /** Publishes written per sensor id (complete after disconnect()). */
  sentBySensor(): Map<string, number> {
    return new Map(this.#sent);
  }

  /**
   * The most common connect error as the first worker that saw one reports it (the
   * workers talk to one broker, so their reasons agree).
   */
  mostCommonConnectError(): ClassifiedError | null {
    return this.#states.find((state) => state?.topConnectError)?.topConnectError ?? null;
  }

  /** Once every worker has ended its ramp-up: when the last did, on this thread's clock. */
  #noteRampDone(): void {
    if (this.#rampDoneMs !== null) return;
    const doneAt = this.#states.map((state) => state?.rampDoneEpochMs ?? null);
    if (doneAt.some((epochMs) => epochMs === null)) return;
    this.#rampDoneMs = this.#options.toClockMs(Math.max(...(doneAt as number[])));
  }

  #receive(n: number, message: FromFleetWorker, stopped: () => void): void {
    switch (message.type) {
      case "ready":
        return;
      case "tick":
      case "stopped":
        applyDelta(this.#options.metrics, message.delta);
        this.#states[n] = message.state;
        this.#noteRampDone();
        if (message.type === "stopped") {
          message.sensorIds.forEach((id, i) => this.#sent.set(id, message.sentCounts[i]));
          stopped();
        }
        return;
      case "failed":
        this.#options.onFailure(`fleet worker ${n + 1} failed: ${message.message}`);
        stopped();
    }
  }

  #post(worker: Worker, message: ToFleetWorker): void {
    worker.postMessage(message);
  }

  #sum(pick: (state: FleetWorkerState) => number): number {
    let sum = 0;
    for (const state of this.#states) if (state !== null) sum += pick(state);
    return sum;
  }
}
