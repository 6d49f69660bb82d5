/**
 * One load test end to end: the probe, the fleet's ramp-up and hold, the drain, the
 * disconnect and the loss reconciliation. Everything that touches time, randomness,
 * identities or the host comes in as {@linkcode RunSeams}; everything that happens
 * goes out as facts (`lib/metrics/facts.ts`). Nothing here prints.
 *
 * @module
 */
import { type QoS, redactScenario, type Scenario } from "../config/scenario.ts";
import { shardSensorCount, shardTargetRatePerSec, shareCount } from "../config/shard.ts";
import { redactCredentials } from "../config/values.ts";
import { FactStream, type RunPhase } from "../metrics/facts.ts";
import type { RunHandle, RunOptions, RunResult } from "./run_options.ts";
import { RunMetrics } from "../metrics/run_metrics.ts";
import { buildSummary, type Summary } from "../metrics/summary.ts";
import { ProbeError, ProbeInterrupted, ProbeSubscriber } from "../probe/probe_subscriber.ts";
import type { ClassifiedError } from "../transport/error_category.ts";
import { brokerTargets } from "./broker_targets.ts";
import { Commander, CommanderError } from "./commander.ts";
import { drain } from "./drain.ts";
import type { FleetHandle } from "./fleet_handle.ts";
import { FleetRunner } from "./fleet_runner.ts";
import { HealthMonitor } from "./health_monitor.ts";
import { topicFiltersFor } from "./sensor_table.ts";
import { SecondTicker } from "./second_ticker.ts";
import { transportFor } from "./transport_choice.ts";
import { stagesDurationMs } from "./stage_plan.ts";
import { ThreadedFleet } from "./threaded_fleet.ts";
import { resolveWorkerCount } from "./worker_count.ts";
import { fleetOfSensorFor } from "./sensor_table.ts";
import { shardSectionFor } from "./shard_section.ts";

const DISCONNECT_TIMEOUT_MS = 2_000;

/**
 * Starts one load test against `options.broker`; facts go to `facts` as they happen.
 * The scenario must be validated; the run never throws for a broker's behaviour (that
 * is counted), only for a failure of its own.
 */
export function startRun(scenario: Scenario, options: RunOptions, facts: FactStream): RunHandle {
  const { seams, interrupt } = options;
  const clock = seams.clock;
  const startedAtMs = seams.epochNowMs();
  const epochOffsetMs = startedAtMs - clock.nowMs();
  const toEpochMs = (clockMs: number) => epochOffsetMs + clockMs;
  const { sensors: target, own: ownStoresTarget } = brokerTargets(
    scenario,
    options.broker.url,
    options.tls,
    options.broker.openStream,
  );
  const sensors = shardSensorCount(scenario);
  const metrics = new RunMetrics(sensors, scenario.fleets.length);
  // In every message's envelope, so the probe counts its own run's messages only.
  // Shards of one run share theirs (--run-id).
  const runId = scenario.runId ?? seams.newId().replaceAll("-", "").slice(0, 8);
  const health = new HealthMonitor(clock);
  health.start();
  const runStartMs = clock.nowMs();
  let abortReason: ClassifiedError | null = null;
  let interrupted = interrupt.aborted;
  const hold = { received: 0, startMs: null as number | null, endMs: 0 };

  // The probe's and commander's client ids: the run's, and the shard's within it.
  const ownId = scenario.shard === null ? runId : `${runId}-${scenario.shard.index}`;
  /** The probe shares its subscription with other shards' probes. */
  const sharedProbe = (scenario.shard?.count ?? 1) > 1;
  const probe = scenario.probe
    ? new ProbeSubscriber({
      target: ownStoresTarget,
      topicFilters: topicFiltersFor(scenario),
      qos: Math.max(...scenario.fleets.map((fleet) => fleet.qos)) as QoS,
      connections: scenario.probeConnections,
      shareWithShards: sharedProbe,
      clientIdPrefix: `iotload-probe-${ownId}`,
      runId,
      metrics,
      fleetOfSensor: fleetOfSensorFor(scenario),
      epochNowMs: () => toEpochMs(clock.nowMs()),
      connectTimeoutMs: scenario.connectTimeoutMs,
      // Sensors reconnect only while the probe can see them, so what a broker restart
      // drops before the probe is back counts as offline, not as the broker's loss.
      onDeliveryChange: (delivering) => {
        fleet.holdConnects(!delivering);
        if (!delivering) {
          facts.emit({
            kind: "note",
            text: "note: the probe lost its subscription; sensors reconnect once it is back",
          });
        }
      },
    })
    : null;
  // Stages set the run's length (a --duration scaled them); otherwise --duration counts
  // from the end of ramp-up.
  const durationMs = scenario.stages.length > 0
    ? stagesDurationMs(scenario.stages)
    : scenario.durationMs;
  const workers = resolveWorkerCount(scenario, seams.cores);
  let workerFailure: string | null = null;
  const fleet: FleetHandle = workers === 1
    ? new FleetRunner({
      scenario,
      target,
      metrics,
      clock,
      toEpochMs,
      random: seams.random,
      runId,
    })
    : new ThreadedFleet({
      scenario,
      target,
      metrics,
      runId,
      epochNowMs: seams.epochNowMs,
      toClockMs: (epochMs) => epochMs - epochOffsetMs,
      workers,
      onFailure: (message) => workerFailure ??= message,
    });

  const commander = scenario.commandRatePerSec > 0
    ? new Commander({
      scenario,
      target: ownStoresTarget,
      metrics,
      clock,
      random: seams.random,
      epochNowMs: () => toEpochMs(clock.nowMs()),
      clientId: `iotload-commander-${ownId}`,
    })
    : null;

  let phase: RunPhase | null = null;
  const enterPhase = (next: RunPhase) => {
    if (next === phase) return;
    phase = next;
    facts.emit({ kind: "phase", phase: next, elapsedMs: clock.nowMs() - runStartMs });
  };

  let probeStarted = false;
  /** Whether `lost` was reconciled against what every sensor sent, after the drain. */
  let reconciled = false;

  const summarise = (): Summary => {
    // A summary taken mid-run (a hard exit) ends the timeline too, with the part-second
    // so far, so its seconds still add up to the totals.
    stopTicking();
    const endMs = clock.nowMs();
    if (probeStarted && !reconciled && !sharedProbe) {
      // Before the drain (a hard exit) only the gaps below each sensor's latest
      // received message are certainly lost; the rest may still be on its way.
      metrics.messages.lost = probe!.ledger.totals().lost;
    }
    const holdEndMs = hold.startMs === null ? endMs : (hold.endMs || endMs);
    return buildSummary(metrics, {
      version: options.version,
      runId,
      startedAtMs,
      endedAtMs: seams.epochNowMs(),
      interrupted: interrupted || interrupt.aborted,
      aborted: abortReason === null ? null : abortReason.message,
      broker: { url: redactCredentials(options.broker.url), embedded: options.broker.embedded },
      config: redactScenario(scenario),
      fleets: scenario.fleets.map((spec) => ({
        ...spec,
        count: shareCount(spec.count, scenario.shard),
        transport: transportFor(spec, scenario),
      })),
      // A sensor whose first attempt has not ended did not fail: the run ended first.
      neverConnected: Math.max(0, fleet.settledCount - fleet.connectedOnceCount),
      notAttempted: sensors - fleet.settledCount,
      // A flood has no target: it sends as fast as the broker takes.
      targetPerSec: scenario.flood ? 0 : shardTargetRatePerSec(scenario),
      holdWindow: {
        ...(fleet.holdMark() ?? { sent: 0, acked: 0 }),
        received: hold.received,
        ms: hold.startMs === null ? 0 : holdEndMs - hold.startMs,
      },
      probe: probeStarted,
      markers: probe?.markersSent ?? 0,
      reconciled: !probeStarted || reconciled,
      shard: scenario.shard === null ? null : shardSectionFor({
        scenario,
        shard: scenario.shard,
        sentBySensor: fleet.sentBySensor(),
        ledger: probeStarted ? probe!.ledger : null,
        duplicates: metrics.messages.duplicates,
        startedAtMs,
        startAtEpochMs: options.startAtEpochMs ?? null,
      }),
      health: { workers, ...health.sample() },
    });
  };

  const finishWith = (result: RunResult): RunResult => {
    enterPhase("stopped");
    facts.emit({ kind: "summary", summary: result.summary });
    return result;
  };

  async function run(): Promise<RunResult> {
    try {
      if (probe !== null) {
        try {
          await probe.start(interrupt);
          probeStarted = true;
        } catch (error) {
          if (error instanceof ProbeInterrupted) {
            interrupted = true;
            return finishWith({ summary: summarise(), abortReason });
          }
          if (!(error instanceof ProbeError)) throw error;
          abortReason = error.reason;
          // The probe's failure is the run's error: counted, and shown in the samples.
          metrics.recordError(error.reason.category, `probe: ${error.reason.message}`);
          return finishWith({ summary: summarise(), abortReason });
        }
      }
      try {
        await commander?.connect();
      } catch (error) {
        if (!(error instanceof CommanderError)) throw error;
        abortReason = error.reason;
        metrics.recordError(error.reason.category, error.message);
        await probe?.stop(DISCONNECT_TIMEOUT_MS);
        return finishWith({ summary: summarise(), abortReason });
      }
      enterPhase(fleet.phase);
      fleet.start();
      await holdUntilDone();
      fleet.stopSending();
      commander?.stopSending();
      if (workerFailure !== null) throw new Error(workerFailure);
      hold.endMs = clock.nowMs();
      enterPhase("draining");
      if (abortReason === null) {
        const probeDrainMs = probe === null ? 0 : scenario.drainMs;
        interrupted = await drain(clock, {
          drainMs: probeDrainMs,
          ackTimeoutMs: scenario.ackTimeoutMs,
          inflightCount: () => fleet.inflightCount,
          interrupted,
          interrupt,
        });
      }
      // Workers report what each sensor sent when they disconnect: reconcile after.
      await fleet.disconnect(DISCONNECT_TIMEOUT_MS);
      // A shard's probe sees part of every sensor's messages: merge judges the loss.
      if (probe !== null && !sharedProbe) {
        const fleetOf = fleetOfSensorFor(scenario);
        const totals = probe.ledger.totals(fleet.sentBySensor(), (sensorId, lost) => {
          const tally = metrics.fleets[fleetOf(sensorId)];
          if (tally !== undefined) tally.messages.lost += lost;
        });
        metrics.messages.lost = totals.lost;
        reconciled = true;
      }
      await Promise.all([
        probe?.stop(DISCONNECT_TIMEOUT_MS),
        commander?.stop(DISCONNECT_TIMEOUT_MS),
      ]);
      stopTicking();
      return finishWith({ summary: summarise(), abortReason });
    } finally {
      stopTicking();
      health.stop();
    }
  }

  const ticker = new SecondTicker(clock, runStartMs, { tick, last: closeSecond });
  /** Stops the ticker and closes the last, partial second (once). */
  const stopTicking = () => ticker.stop();
  let durationTimer: number | undefined;
  /** Ends the hold; set while the hold lasts. */
  let endHold: (() => void) | null = null;

  /** CPU time at the last closed second, for each second's CPU percent. */
  let lastCpu = { seconds: 0, atMs: runStartMs };

  /** Closes one second of the run and emits it; the run's seconds sum to its totals. */
  function closeSecond(tSec: number): void {
    const nowMs = clock.nowMs();
    const generator = health.takeSecond();
    const cpuPercent = lastCpu.atMs === nowMs
      ? 0
      : Math.round(((generator.cpuSeconds - lastCpu.seconds) / (nowMs - lastCpu.atMs)) * 1e6) /
        10;
    lastCpu = { seconds: generator.cpuSeconds, atMs: nowMs };
    const point = metrics.closeSecond(tSec, fleet.stage, {
      cpuPercent,
      eventLoopLagMs: generator.eventLoopLagMs,
    });
    enterPhase(fleet.phase);
    facts.emit({
      kind: "second",
      runId,
      phase: fleet.phase,
      elapsedMs: nowMs - runStartMs,
      durationMs,
      stage: scenario.stages.length === 0
        ? undefined
        : `${Math.min(fleet.stage, scenario.stages.length)}/${scenario.stages.length}`,
      phaseElapsedMs: hold.startMs === null ? nowMs - runStartMs : nowMs - hold.startMs,
      sensors,
      settled: fleet.settledCount,
      point,
      errorsTotal: metrics.errorCount,
      totals: metrics.totals(),
      health: generator,
    });
  }

  /** Once a second from the fleet's start to the end of the drain. */
  function tick(tSec: number): void {
    const nowMs = clock.nowMs();
    fleet.expireInflight();
    commander?.expire();
    if (endHold !== null && hold.startMs === null && fleet.rampDoneMs !== null) {
      hold.startMs = nowMs;
      fleet.markHold();
      commander?.startSending(fleet.rampDoneMs);
      hold.received = metrics.messages.received;
      // --duration counts from the end of ramp-up itself, not from this tick.
      const leftMs = durationMs - (nowMs - fleet.rampDoneMs);
      if (durationMs > 0) durationTimer = clock.setTimer(() => endHold?.(), Math.max(0, leftMs));
    }
    closeSecond(tSec);
    if (endHold === null) return;
    if (workerFailure !== null) {
      endHold();
      return;
    }
    const giveUp = shouldGiveUp(nowMs - runStartMs);
    if (giveUp !== null) {
      abortReason = giveUp;
      endHold();
    }
  }

  /** Resolves when the hold is over: its duration passed, an interrupt, or a give-up. */
  function holdUntilDone(): Promise<void> {
    return new Promise((resolve) => {
      const onInterrupt = () => {
        interrupted = true;
        endHold?.();
      };
      const onStop = () => endHold?.();
      endHold = () => {
        endHold = null;
        if (durationTimer !== undefined) clock.clearTimer(durationTimer);
        interrupt.removeEventListener("abort", onInterrupt);
        options.stop?.removeEventListener("abort", onStop);
        resolve();
      };
      interrupt.addEventListener("abort", onInterrupt);
      options.stop?.addEventListener("abort", onStop);
      if (options.stop?.aborted) queueMicrotask(() => endHold?.());
      if (interrupt.aborted) {
        interrupted = true;
        queueMicrotask(() => endHold?.());
      }
      ticker.start();
    });
  }

  function shouldGiveUp(elapsedMs: number): ClassifiedError | null {
    const connections = metrics.connections;
    if (connections.peak > 0 || connections.attemptsFailed === 0) return null;
    const everySensorFailed = fleet.settledCount === sensors;
    if (!everySensorFailed && elapsedMs < scenario.connectTimeoutMs) return null;
    return fleet.mostCommonConnectError() ??
      { category: "connectTimeout", message: "no sensor could connect" };
  }

  return { result: run(), summarise };
}
