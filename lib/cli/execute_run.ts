import { startEmbeddedBroker } from "../broker/embedded_broker.ts";
import {
  type QoS,
  redactScenario,
  type Scenario,
  targetRatePerSec,
  totalSensors,
} from "../config/scenario.ts";
import type { TlsFiles } from "../config/tls_files.ts";
import { redactCredentials } from "../config/values.ts";
import { type Clock, SYSTEM_CLOCK } from "../engine/clock.ts";
import { Commander } from "../engine/commander.ts";
import { publishesOnlyQos0 } from "../engine/device_hooks.ts";
import type { FleetHandle } from "../engine/fleet_handle.ts";
import { FleetRunner } from "../engine/fleet_runner.ts";
import { stagesDurationMs } from "../engine/stage_plan.ts";
import { resolveWorkerCount } from "../engine/worker_count.ts";
import { ThreadedFleet } from "../engine/threaded_fleet.ts";
import { topicFiltersFor } from "../engine/sensor_table.ts";
import { HealthMonitor } from "../engine/health_monitor.ts";
import { RunMetrics } from "../metrics/run_metrics.ts";
import { ProbeError, ProbeSubscriber } from "../probe/probe_subscriber.ts";
import type { LiveView } from "../report/live_view.ts";
import { buildSummary, type Summary } from "../report/summary.ts";
import { type BrokerTarget, createSharedStores } from "../transport/client_factory.ts";
import { createSharedIntervalTimer } from "../transport/shared_interval_timer.ts";
import type { ClassifiedError } from "../transport/error_category.ts";

/** Everything a run needs from outside: output, signals, version. */
export interface RunContext {
  /** Where one-line notes go (stderr). */
  readonly note: (line: string) => void;
  /** The live view (stderr). */
  readonly live: LiveView;
  /** Aborted on the first Ctrl-C / SIGTERM: stop sending, drain briefly, report. */
  readonly interrupt: AbortSignal;
  /** Tool version for the summary. */
  readonly version: string;
  /** TLS material read from the scenario's files. */
  readonly tls: TlsFiles;
  /** Called with the partial summary whenever one can be built (for a hard exit). */
  readonly onProgress?: (summarise: () => Summary) => void;
}

/** How a run ended. */
export interface RunResult {
  /** The summary (thresholds not yet evaluated). */
  readonly summary: Summary;
  /** Why the run gave up (no connection ever succeeded), or null. */
  readonly abortReason: ClassifiedError | null;
}

const TICK_MS = 1_000;
const INTERRUPTED_DRAIN_MS = 1_000;
const DISCONNECT_TIMEOUT_MS = 2_000;

/**
 * Runs one load test end to end: the embedded broker if no URL was given, the probe,
 * the fleet's ramp-up and hold, the drain, and the disconnect; returns the summary.
 */
export async function executeRun(scenario: Scenario, context: RunContext): Promise<RunResult> {
  const clock: Clock = SYSTEM_CLOCK;
  const startedAtMs = Date.now();
  const embedded = scenario.url === null ? await startEmbeddedBroker() : null;
  const url = embedded?.url ?? scenario.url!;
  if (embedded !== null) {
    context.note(
      `note: no --url given: started the embedded broker (aedes) at ${url}; it measures iotload, not your broker`,
    );
  }
  try {
    return await runAgainst(scenario, context, clock, url, embedded !== null, startedAtMs);
  } finally {
    await embedded?.stop();
  }
}

async function runAgainst(
  scenario: Scenario,
  context: RunContext,
  clock: Clock,
  url: string,
  embedded: boolean,
  startedAtMs: number,
): Promise<RunResult> {
  const target: BrokerTarget = {
    url,
    protocolVersion: scenario.protocolVersion,
    keepaliveSec: scenario.keepaliveSec,
    username: scenario.username,
    password: scenario.password,
    cleanStart: scenario.cleanStart,
    sessionExpirySec: scenario.sessionExpirySec,
    tls: { ...context.tls, insecure: scenario.insecure },
    keepaliveTimer: createSharedIntervalTimer(),
    sharedStores: publishesOnlyQos0(scenario) ? createSharedStores() : undefined,
  };
  // The probe and the commander keep stores of their own.
  const ownStoresTarget: BrokerTarget = { ...target, sharedStores: undefined };
  const sensors = totalSensors(scenario);
  const metrics = new RunMetrics(sensors);
  const toEpochMs = (clockMs: number) => performance.timeOrigin + clockMs;
  const health = new HealthMonitor(clock);
  health.start();
  const runStartMs = clock.nowMs();
  let abortReason: ClassifiedError | null = null;
  let interrupted = context.interrupt.aborted;
  const hold = { received: 0, startMs: null as number | null, endMs: 0 };

  const probe = scenario.probe
    ? new ProbeSubscriber({
      target: ownStoresTarget,
      topicFilters: topicFiltersFor(scenario),
      qos: Math.max(...scenario.fleets.map((fleet) => fleet.qos)) as QoS,
      connections: scenario.probeConnections,
      clientIdPrefix: `iotload-probe-${crypto.randomUUID().slice(0, 8)}`,
      metrics,
      epochNowMs: () => toEpochMs(clock.nowMs()),
      connectTimeoutMs: scenario.connectTimeoutMs,
    })
    : null;
  // Stages set the run's length (a --duration scaled them); otherwise --duration counts
  // from the end of ramp-up.
  const durationMs = scenario.stages.length > 0
    ? stagesDurationMs(scenario.stages)
    : scenario.durationMs;
  const workers = resolveWorkerCount(scenario, navigator.hardwareConcurrency);
  let workerFailure: string | null = null;
  const fleet: FleetHandle = workers === 1
    ? new FleetRunner({ scenario, target, metrics, clock, toEpochMs, random: Math.random })
    : new ThreadedFleet({
      scenario,
      target,
      metrics,
      clock,
      workers,
      onFailure: (message) => workerFailure ??= message,
    });

  const commander = scenario.commandRatePerSec > 0
    ? new Commander({
      scenario,
      target: ownStoresTarget,
      metrics,
      clock,
      random: Math.random,
      epochNowMs: () => toEpochMs(clock.nowMs()),
      clientId: `iotload-commander-${crypto.randomUUID().slice(0, 8)}`,
    })
    : null;

  const summarise = (): Summary => {
    const endMs = clock.nowMs();
    const holdEndMs = hold.startMs === null ? endMs : (hold.endMs || endMs);
    return buildSummary(metrics, {
      version: context.version,
      startedAtMs,
      endedAtMs: Date.now(),
      interrupted: interrupted || context.interrupt.aborted,
      aborted: abortReason === null ? null : abortReason.message,
      broker: { url: redactCredentials(url), embedded },
      config: redactScenario(scenario),
      neverConnected: sensors - fleet.connectedOnceCount,
      targetPerSec: targetRatePerSec(scenario),
      holdWindow: {
        ...(fleet.holdMark() ?? { sent: 0, acked: 0 }),
        received: hold.received,
        ms: hold.startMs === null ? 0 : holdEndMs - hold.startMs,
      },
      probe: probe !== null,
      health: { workers, ...health.sample() },
    });
  };
  context.onProgress?.(summarise);

  try {
    if (probe !== null) {
      try {
        await probe.start();
      } catch (error) {
        if (!(error instanceof ProbeError)) throw error;
        abortReason = error.reason;
        return { summary: summarise(), abortReason };
      }
    }
    await commander?.connect();
    fleet.start();
    await holdUntilDone();
    fleet.stopSending();
    commander?.stopSending();
    if (workerFailure !== null) throw new Error(workerFailure);
    hold.endMs = clock.nowMs();
    if (abortReason === null) {
      const probeDrainMs = probe === null ? 0 : scenario.drainMs;
      await drain(interrupted ? Math.min(probeDrainMs, INTERRUPTED_DRAIN_MS) : probeDrainMs);
    }
    // Workers report what each sensor sent when they disconnect: reconcile after.
    await fleet.disconnect(DISCONNECT_TIMEOUT_MS);
    if (probe !== null) {
      const totals = probe.ledger.totals(fleet.sentBySensor());
      metrics.messages.lost = totals.lost;
    }
    await Promise.all([
      probe?.stop(DISCONNECT_TIMEOUT_MS),
      commander?.stop(DISCONNECT_TIMEOUT_MS),
    ]);
    return { summary: summarise(), abortReason };
  } finally {
    health.stop();
    context.live.finish();
  }

  function holdUntilDone(): Promise<void> {
    return new Promise((resolve) => {
      let durationTimer: number | undefined;
      const finish = () => {
        clock.clearTimer(tickTimer);
        if (durationTimer !== undefined) clock.clearTimer(durationTimer);
        context.interrupt.removeEventListener("abort", onInterrupt);
        resolve();
      };
      const onInterrupt = () => {
        interrupted = true;
        finish();
      };
      context.interrupt.addEventListener("abort", onInterrupt);
      if (context.interrupt.aborted) {
        interrupted = true;
        queueMicrotask(finish);
      }
      let tickTimer = clock.setTimer(tick, TICK_MS);
      function tick() {
        tickTimer = clock.setTimer(tick, TICK_MS);
        const nowMs = clock.nowMs();
        const point = metrics.closeSecond(Math.round((nowMs - runStartMs) / 1000), fleet.stage);
        fleet.expireInflight();
        commander?.expire();
        if (hold.startMs === null && fleet.rampDoneMs !== null) {
          hold.startMs = nowMs;
          fleet.markHold();
          commander?.startSending();
          hold.received = metrics.messages.received;
          if (durationMs > 0) durationTimer = clock.setTimer(finish, durationMs);
        }
        context.live.update({
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
        });
        if (workerFailure !== null) {
          finish();
          return;
        }
        const giveUp = shouldGiveUp(nowMs - runStartMs);
        if (giveUp !== null) {
          abortReason = giveUp;
          finish();
        }
      }
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

  /**
   * Waits `drainMs` for the probe and, within the ack timeout, for pending acks; an
   * interrupt during the drain cuts both short.
   */
  async function drain(drainMs: number): Promise<void> {
    let deadlineMs = clock.nowMs() + drainMs;
    let ackDeadlineMs = clock.nowMs() +
      (interrupted ? INTERRUPTED_DRAIN_MS : scenario.ackTimeoutMs);
    while (true) {
      const nowMs = clock.nowMs();
      if (context.interrupt.aborted && !interrupted) {
        interrupted = true;
        deadlineMs = Math.min(deadlineMs, nowMs + INTERRUPTED_DRAIN_MS);
        ackDeadlineMs = Math.min(ackDeadlineMs, nowMs + INTERRUPTED_DRAIN_MS);
      }
      const acksPending = fleet.inflightCount > 0 && nowMs < ackDeadlineMs;
      if (nowMs >= deadlineMs && !acksPending) return;
      await new Promise((resolve) => clock.setTimer(() => resolve(undefined), 50));
    }
  }
}
