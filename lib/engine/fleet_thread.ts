/**
 * A fleet worker thread: runs a {@linkcode FleetRunner} over one range of
 * sensors on its own event loop and posts its metrics as deltas once a second.
 *
 * @module
 */
import { DeltaTaker } from "../metrics/metrics_delta.ts";
import { RunMetrics } from "../metrics/run_metrics.ts";
import { createSharedStores } from "../transport/client_factory.ts";
import { createSharedIntervalTimer } from "../transport/shared_interval_timer.ts";
import { SYSTEM_CLOCK } from "./clock.ts";
import { publishesOnlyQos0 } from "./device_hooks.ts";
import { FleetRunner } from "./fleet_runner.ts";
import type { FleetWorkerState, FromFleetWorker, ToFleetWorker } from "./worker_messages.ts";

const TICK_MS = 1_000;

/** Deno's worker global: typed loosely so this file type-checks without the worker lib. */
interface FleetWorkerScope {
  postMessage(message: FromFleetWorker): void;
  onmessage: ((event: MessageEvent<ToFleetWorker>) => void) | null;
  close(): void;
}

let fleet: FleetRunner | null = null;
let metrics: RunMetrics | null = null;
let deltas: DeltaTaker | null = null;
let ticker: ReturnType<typeof setInterval> | undefined;

function state(runner: FleetRunner): FleetWorkerState {
  return {
    phase: runner.phase,
    settledCount: runner.settledCount,
    connectedOnceCount: runner.connectedOnceCount,
    rampDoneEpochMs: runner.rampDoneMs === null ? null : performance.timeOrigin + runner.rampDoneMs,
    inflightCount: runner.inflightCount,
    stage: runner.stage,
    topConnectError: runner.mostCommonConnectError(),
    holdMark: runner.holdMark(),
  };
}

/** Serves a part of the fleet from this worker thread, as the main thread asks. */
export function serveFleetThread(): void {
  const worker = globalThis as unknown as FleetWorkerScope;
  worker.onmessage = (event) => handle(worker, event.data);
}

async function handle(worker: FleetWorkerScope, message: ToFleetWorker): Promise<void> {
  try {
    if (message.type === "start") {
      const { scenario, ranges } = message;
      const sensors = ranges.reduce((sum, range) => sum + range.end - range.start, 0);
      metrics = new RunMetrics(sensors, scenario.fleets.length);
      fleet = new FleetRunner({
        scenario,
        target: {
          ...message.target,
          keepaliveTimer: createSharedIntervalTimer(),
          sharedStores: publishesOnlyQos0(scenario) ? createSharedStores() : undefined,
        },
        metrics,
        clock: SYSTEM_CLOCK,
        toEpochMs: (clockMs) => performance.timeOrigin + clockMs,
        random: Math.random,
        ranges,
        firstPosition: message.firstPosition,
        gateShare: message.gateShare,
        runId: message.runId,
        // This thread's clock counts from its own start: the grid is placed on it.
        originMs: message.originEpochMs - performance.timeOrigin,
      });
      deltas = new DeltaTaker(metrics);
      worker.postMessage({ type: "ready" });
      fleet.start();
      ticker = setInterval(() => {
        fleet!.expireInflight();
        worker.postMessage({ type: "tick", delta: deltas!.take(), state: state(fleet!) });
      }, TICK_MS);
    } else if (message.type === "mark-hold") {
      fleet?.markHold();
    } else if (message.type === "hold-connects") {
      fleet?.holdConnects(message.held);
    } else if (message.type === "stop-sending") {
      fleet?.stopSending();
    } else if (message.type === "disconnect") {
      const runner = fleet!;
      const sent = runner.sentBySensor();
      await runner.disconnect(message.timeoutMs);
      clearInterval(ticker);
      worker.postMessage({
        type: "stopped",
        delta: deltas!.take(),
        state: state(runner),
        sensorIds: [...sent.keys()],
        sentCounts: [...sent.values()],
      });
      worker.close();
    }
  } catch (error) {
    worker.postMessage({
      type: "failed",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
}
