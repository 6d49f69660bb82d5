/**
 * Shards hand their results over through the broker under test, for runs without
 * shared storage: each publishes its JSON summary (gzip, QoS 1, retained) to
 * `iotload/runs/<run id>/results/<shard>`, and `iotload merge --from` collects them.
 *
 * @module
 */

import { gunzipSync, gzipSync } from "node:zlib";
import type { MqttClient } from "mqtt";
import type { Scenario } from "../config/scenario.ts";
import type { TlsFiles } from "../config/tls_files.ts";
import { type BrokerTarget, createMqttClient, endClient } from "../transport/client_factory.ts";
import { classifyError } from "../transport/error_category.ts";
import { brokerTargets } from "./broker_targets.ts";

/** Where results go and come from: the scenario's broker, as the probe connects to it. */
export interface ResultBroker {
  /** The scenario (its URL, protocol version and probe credentials). */
  readonly scenario: Scenario;
  /** Its TLS files, read. */
  readonly tls: TlsFiles;
}

function targetOf(broker: ResultBroker): BrokerTarget {
  const { scenario, tls } = broker;
  const { own } = brokerTargets(scenario, scenario.url!, tls);
  // One connection of its own: no shared beat to stop afterwards.
  return { ...own, keepaliveTimer: undefined };
}

/** The topic shard `index` of run `runId` publishes its result to. */
export function resultTopic(runId: string, index: number): string {
  return `iotload/runs/${runId}/results/${index}`;
}

/** The filter that covers every shard's result topic of run `runId`. */
export function resultsFilter(runId: string): string {
  return `iotload/runs/${runId}/results/+`;
}

/** A result could not be published or collected; the message says why, in one line. */
export class ResultExchangeError extends Error {
  /** Wraps the reason. */
  constructor(message: string) {
    super(message);
    this.name = "ResultExchangeError";
  }
}

/** Bytes of the topic, the packet header and properties a PUBLISH adds to its payload, at most. */
const PUBLISH_OVERHEAD_BYTES = 64;

/**
 * Publishes `summary` for shard `index` of run `runId`, retained, and waits for the
 * broker's PUBACK; returns the payload's size. Throws {@linkcode ResultExchangeError}
 * when the broker cannot be reached in `timeoutMs`, refuses the message, or takes
 * packets smaller than the result (MQTT 5's Maximum Packet Size, MQTT-3.2.2.3.6).
 */
export async function publishResult(
  broker: ResultBroker,
  runId: string,
  index: number,
  summary: unknown,
  timeoutMs: number,
): Promise<number> {
  const target = targetOf(broker);
  const payload = gzipSync(JSON.stringify(summary));
  const topic = resultTopic(runId, index);
  const client = createMqttClient(target, {
    clientId: `iotload-result-${runId}-${index}`,
    clean: true,
    reconnectPeriodMs: 0,
  });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        client.once("connect", (connack) => {
          const limit = connack.properties?.maximumPacketSize;
          const size = payload.length + topic.length + PUBLISH_OVERHEAD_BYTES;
          if (limit !== undefined && size > limit) {
            reject(
              new ResultExchangeError(
                `the result is ${payload.length} bytes (gzip); the broker takes packets of at ` +
                  `most ${limit} bytes: write --out files and merge them instead`,
              ),
            );
            return;
          }
          client.publish(topic, payload, { qos: 1, retain: true }, (error) => {
            if (error) reject(new ResultExchangeError(`the broker refused it: ${error.message}`));
            else resolve();
          });
        });
        failOnError(client, target, reject);
        client.connect();
      }),
      timeoutMs,
      `no PUBACK within ${timeoutMs} ms`,
    );
    return payload.length;
  } finally {
    await endClient(client, 1_000);
  }
}

/** What {@linkcode collectResults} found. */
export interface CollectedResults {
  /** Each shard's result by its index (parsed JSON, not yet checked). */
  readonly results: Map<number, unknown>;
  /** Messages on the results topic that were no result (not gzip JSON, or no shard number). */
  readonly unreadable: string[];
}

/**
 * Subscribes to the results of run `runId` and gathers what the broker holds (retained)
 * or receives until `shards` results are in or `waitMs` has passed; `onProgress` hears
 * each new one. Throws {@linkcode ResultExchangeError} when the broker cannot be reached.
 */
export async function collectResults(
  broker: ResultBroker,
  runId: string,
  shards: number,
  waitMs: number,
  onProgress: (have: number) => void,
): Promise<CollectedResults> {
  const target = targetOf(broker);
  const results = new Map<number, unknown>();
  const unreadable: string[] = [];
  const client = createMqttClient(target, {
    clientId: `iotload-merge-${runId}-${crypto.randomUUID().slice(0, 8)}`,
    clean: true,
    reconnectPeriodMs: 1_000,
  });
  let done = () => {};
  const complete = new Promise<void>((resolve) => done = resolve);
  client.on("message", (topic, payload) => {
    const index = Number(topic.split("/").pop());
    const value = Number.isInteger(index) && index >= 0 && index < shards
      ? decodeResult(payload)
      : undefined;
    if (value === undefined) {
      unreadable.push(topic);
      return;
    }
    if (!results.has(index)) onProgress(results.size + 1);
    results.set(index, value);
    if (results.size === shards) done();
  });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        client.once("connect", () => {
          client.subscribe(resultsFilter(runId), { qos: 1 }, (error) => {
            if (error) reject(new ResultExchangeError(`cannot subscribe: ${error.message}`));
            else resolve();
          });
        });
        failOnError(client, target, reject);
        client.connect();
      }),
      Math.min(waitMs, 30_000),
      "no CONNACK or SUBACK",
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      complete,
      new Promise<void>((resolve) => timer = setTimeout(resolve, waitMs)),
    ]);
    clearTimeout(timer);
    return { results, unreadable };
  } finally {
    await endClient(client, 1_000);
  }
}

/** A result payload as JSON (gzip or plain), or undefined when it is neither. */
function decodeResult(payload: Uint8Array): unknown {
  try {
    const gzip = payload[0] === 0x1f && payload[1] === 0x8b;
    return JSON.parse(new TextDecoder().decode(gzip ? gunzipSync(payload) : payload));
  } catch {
    return undefined;
  }
}

function failOnError(
  client: MqttClient,
  target: BrokerTarget,
  reject: (error: Error) => void,
): void {
  client.on("error", (error) => {
    if (client.connected) return;
    reject(new ResultExchangeError(classifyError(error, target.protocolVersion).message));
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) =>
        timer = setTimeout(() => reject(new ResultExchangeError(message)), ms)
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
