import { type Scenario, totalSensors } from "../config/scenario.ts";
import { shardFraction, shareOf } from "../config/shard.ts";
import { compileTopicTemplate, idWidthFor, topicFilterFor } from "../fleet/template.ts";
import type { RunMetrics } from "../metrics/run_metrics.ts";
import { type BrokerTarget, createMqttClient, endClient } from "../transport/client_factory.ts";
import { type ClassifiedError, classifyError } from "../transport/error_category.ts";
import type { Clock } from "./clock.ts";
import { encodeCommand, readCommandId } from "../transport/command_message.ts";
import { withFleetName } from "./sensor_table.ts";

/** Options of a {@linkcode Commander}. */
export interface CommanderOptions {
  /** The validated scenario (fleets with commands, the command rate, ack timeout). */
  readonly scenario: Scenario;
  /** Where and how to connect. */
  readonly target: BrokerTarget;
  /** Where command counts and round trips are recorded. */
  readonly metrics: RunMetrics;
  /** Time source; monotonic ms. */
  readonly clock: Clock;
  /** Random numbers in [0, 1) for picking sensors. */
  readonly random: () => number;
  /** Current time, ms since the Unix epoch (for the command's `ts`). */
  readonly epochNowMs: () => number;
  /** Client id of the commander's connection. */
  readonly clientId: string;
}

/** Command ids each shard's commander may use. */
const COMMAND_IDS_PER_SHARD = 1e9;

/** How often the commander sends what its rate owes, in ms. */
const SEND_TICK_MS = 100;

/**
 * Sends commands at a fixed rate to randomly picked sensors of the fleets that take
 * commands, and measures each round trip (publish to answer) into the `command`
 * histogram; commands unanswered within the ack timeout are counted.
 */
export class Commander {
  readonly #options: CommanderOptions;
  readonly #targets: { start: number; count: number; topic: (index: number) => string }[] = [];
  readonly #pending = new Map<number, number>();
  #client: ReturnType<typeof createMqttClient> | null = null;
  #timer: number | undefined;
  #nextCommandId = 0;
  #startMs = 0;

  /** Prepares the command topics; nothing is opened until connect(). */
  constructor(options: CommanderOptions) {
    this.#options = options;
    const { scenario } = options;
    // Every shard's commander hears every answer: its ids are apart from the others'.
    this.#nextCommandId = (scenario.shard?.index ?? 0) * COMMAND_IDS_PER_SHARD;
    const idWidth = idWidthFor(totalSensors(scenario));
    let fleetStart = 0;
    for (const fleet of scenario.fleets) {
      if (fleet.commandTopicTemplate !== null) {
        const render = compileTopicTemplate(
          withFleetName(fleet.commandTopicTemplate, fleet),
          "topic",
        );
        // A shard commands its own sensors only.
        const { start, end } = shareOf(fleet.count, scenario.shard);
        if (end > start) {
          this.#targets.push({
            start: fleetStart + start,
            count: end - start,
            topic: (index) => render(index, idWidth),
          });
        }
      }
      fleetStart += fleet.count;
    }
  }

  /** Connects and subscribes to every fleet's response topics. */
  async connect(): Promise<void> {
    const { scenario, target, clientId } = this.#options;
    const client = createMqttClient(target, { clientId, clean: true, reconnectPeriodMs: 1_000 });
    this.#client = client;
    client.on("message", (_topic, payload) => this.#onAnswer(payload));
    const filters = [
      ...new Set(
        scenario.fleets.filter((fleet) => fleet.commandTopicTemplate !== null).map((fleet) =>
          topicFilterFor(withFleetName(fleet.responseTopicTemplate, fleet), "topic")
        ),
      ),
    ];
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const fail = (reason: ClassifiedError) => {
        client.end(true);
        reject(new CommanderError(reason));
      };
      client.once("connect", () => {
        client.subscribe(filters, { qos: 1 }, (error) => {
          if (error) {
            fail(classifyError(error, target.protocolVersion));
            return;
          }
          ready = true;
          resolve();
        });
      });
      // Every error, for the whole run: a broker restart makes the reconnects fail for a
      // while, and an error without a listener would end the process.
      client.on("error", (error) => {
        const reason = classifyError(error, target.protocolVersion);
        if (!ready) fail(reason);
        else this.#options.metrics.recordError(reason.category, `commander: ${reason.message}`);
      });
      client.connect();
    });
  }

  /**
   * Starts sending at the scenario's command rate, counted from `fromMs` (clock ms;
   * default now): the hold's start, which the run may see a little after it happened.
   */
  startSending(fromMs = this.#options.clock.nowMs()): void {
    this.#startMs = fromMs;
    const tick = () => {
      this.#sendDue();
      this.#timer = this.#options.clock.setTimer(tick, SEND_TICK_MS);
    };
    tick();
  }

  /** Stops sending (answers are still received until stop()). */
  stopSending(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** Counts commands past the ack timeout as unanswered; call about once a second. */
  expire(): void {
    const nowMs = this.#options.clock.nowMs();
    for (const [commandId, sentMs] of this.#pending) {
      if (nowMs - sentMs < this.#options.scenario.ackTimeoutMs) continue;
      this.#pending.delete(commandId);
      this.#options.metrics.commands.unanswered++;
    }
  }

  /** Counts every command still waiting as unanswered and disconnects. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopSending();
    this.#options.metrics.commands.unanswered += this.#pending.size;
    this.#pending.clear();
    if (this.#client !== null) await endClient(this.#client, timeoutMs);
  }

  #sendDue(): void {
    const { clock, scenario, metrics, random } = this.#options;
    const client = this.#client;
    if (client === null || !client.connected) return;
    const ratePerSec = scenario.commandRatePerSec * shardFraction(scenario);
    const owed = this.#targets.length === 0
      ? 0
      : Math.floor(((clock.nowMs() - this.#startMs) * ratePerSec) / 1000);
    while (metrics.commands.sent < owed) {
      const target = this.#targets[Math.floor(random() * this.#targets.length)];
      const index = target.start + Math.floor(random() * target.count);
      const commandId = this.#nextCommandId++;
      this.#pending.set(commandId, clock.nowMs());
      metrics.commands.sent++;
      const payload = encodeCommand(commandId, this.#options.epochNowMs());
      client.publish(target.topic(index), payload, { qos: 1 });
    }
  }

  #onAnswer(payload: Uint8Array): void {
    const commandId = readCommandId(payload);
    const sentMs = commandId === null ? undefined : this.#pending.get(commandId);
    if (sentMs === undefined) return;
    this.#pending.delete(commandId!);
    const metrics = this.#options.metrics;
    metrics.commands.answered++;
    metrics.histograms.command.recordUs((this.#options.clock.nowMs() - sentMs) * 1000);
  }
}

/** The commander could not connect or subscribe; carries the classified reason. */
export class CommanderError extends Error {
  /** Why. */
  readonly reason: ClassifiedError;

  /** Wraps a classified reason. */
  constructor(reason: ClassifiedError) {
    super(`commander: ${reason.message}`);
    this.name = "CommanderError";
    this.reason = reason;
  }
}
