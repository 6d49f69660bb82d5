/**
 * A sensor connection against a scripted broker over in-memory streams, on a manual
 * clock: the packets the broker sends are the test's, byte for byte.
 *
 * @module
 */
import type { Duplex } from "node:stream";
import { setImmediate } from "node:timers";
import type { ManualClock } from "../../lib/engine/clock.ts";
import { DEFAULT_BACKOFF } from "../../lib/transport/backoff.ts";
import type { BrokerTarget } from "../../lib/transport/client_factory.ts";
import { ConnectGate } from "../../lib/transport/connect_gate.ts";
import type { ConnectionEvents, TransportKind } from "../../lib/transport/connection_types.ts";
import { SensorConnection } from "../../lib/transport/sensor_connection.ts";

/** Both clients a sensor can run on; each test of the connection's rules runs on each. */
export const TRANSPORTS: readonly TransportKind[] = ["mqttjs", "lean"];

/** CONNACK, MQTT 3.1.1 (MQTT-3.2): session present 0, return code 0 (accepted). */
export const CONNACK_ACCEPTED = Uint8Array.of(0x20, 0x02, 0x00, 0x00);

/** CONNACK, MQTT 5 (MQTT-3.2): session present 0, reason 0 (success), no properties. */
export const CONNACK_V5_SUCCESS = Uint8Array.of(0x20, 0x03, 0x00, 0x00, 0x00);

/** Lets stream events and MQTT.js's callbacks run: a few turns of the event loop. */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** A sensor connection to `openStream`'s broker, with counters of what it reported. */
export function connectionTo(
  openStream: () => Duplex,
  clock: ManualClock,
  protocolVersion: 4 | 5 = 4,
  onAcked: () => void = () => {},
  transport: TransportKind = "mqttjs",
  more: Partial<ConnectionEvents> = {},
) {
  const counts = { connected: 0, disconnected: 0, connectFailed: 0 };
  const failures: { count: number; category: string; message?: string }[] = [];
  const events: ConnectionEvents = {
    connected: () => void counts.connected++,
    churned: () => {},
    connectFailed: () => void counts.connectFailed++,
    disconnected: () => void counts.disconnected++,
    acked: onAcked,
    publishFailed: (_index, count, category, message) =>
      failures.push({ count, category, message }),
    ...more,
  };
  const target: BrokerTarget = {
    url: "mqtt://127.0.0.1:1883",
    protocolVersion,
    keepaliveSec: 0,
    cleanStart: true,
    sessionExpirySec: 0,
    tls: { insecure: false },
    openStream,
  };
  const connection = new SensorConnection(0, "sensor-0", {
    target,
    gate: new ConnectGate({ ratePerSec: 1_000, concurrency: 10, clock }),
    clock,
    backoff: DEFAULT_BACKOFF,
    // The middle of each backoff window, so the count is the same on every run.
    random: () => 0.5,
    connectTimeoutMs: 5_000,
    maxInflight: 10,
    events,
    transport,
  });
  return { connection, counts, failures };
}

/** Stops the connection; the scripted broker never answers DISCONNECT, so it times out. */
export async function stop(connection: SensorConnection, clock: ManualClock): Promise<void> {
  const stopped = connection.stop(100);
  clock.advanceMs(100);
  await stopped;
  await settle();
  // MQTT.js closes its message stores on a 0 ms timer of its own: one timer turn.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Moves the clock `totalMs` forward in `stepMs` steps, letting I/O run after each. */
export async function runFor(clock: ManualClock, totalMs: number, stepMs = 50): Promise<void> {
  for (let elapsedMs = 0; elapsedMs < totalMs; elapsedMs += stepMs) {
    clock.advanceMs(stepMs);
    await settle();
  }
}

/**
 * Calls `onPacket` with each whole MQTT packet read from `stream` (MQTT.js writes a
 * packet in several pieces): the fixed header's Remaining Length (MQTT-2.2.3) says
 * where each ends.
 */
export function onPackets(stream: Duplex, onPacket: (packet: Uint8Array) => void): void {
  let buffered = new Uint8Array(0);
  stream.on("data", (chunk: Uint8Array) => {
    const joined = new Uint8Array(buffered.length + chunk.length);
    joined.set(buffered);
    joined.set(chunk, buffered.length);
    buffered = joined;
    while (buffered.length >= 2) {
      let length = 0;
      let at = 1;
      let shift = 0;
      while (at < buffered.length) {
        length += (buffered[at] & 0x7f) << shift;
        shift += 7;
        if ((buffered[at++] & 0x80) === 0) break;
      }
      if (buffered.length < at + length) return;
      onPacket(buffered.subarray(0, at + length));
      buffered = buffered.slice(at + length);
    }
  });
}

/** The packet identifier of a QoS 1 PUBLISH (MQTT-3.3.2): after the topic name. */
export function packetIdOf(publish: Uint8Array): number {
  let at = 1;
  while (publish[at] & 0x80) at++; // Remaining Length, a variable byte integer.
  at++;
  const topicBytes = (publish[at] << 8) | publish[at + 1];
  at += 2 + topicBytes;
  return (publish[at] << 8) | publish[at + 1];
}
