/**
 * A lean MQTT client for plain sensors: one `node:net` socket, packets encoded and
 * parsed by `mqtt-packet` (the MQTT.js project's codec), no stores, no per-client
 * timers. It speaks what a telemetry sensor needs: CONNECT/CONNACK (MQTT 3.1.1 and 5,
 * with a will and session expiry), PUBLISH at QoS 0 and 1 with the properties iotload
 * sends, PUBACK with its reason code, PINGREQ/PINGRESP, DISCONNECT both ways. It
 * offers the part of MQTT.js's client that `SensorConnection` uses, so either can
 * drive a sensor; everything else (TLS, WebSocket, QoS 2, subscriptions, topic
 * aliases) stays on MQTT.js.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as net from "node:net";
import type { Duplex } from "node:stream";
import type { IConnectPacket, Packet } from "mqtt-packet";
import type { BrokerTarget, ClientSettings } from "./client_factory.ts";
import type { PublishOptions } from "./connection_types.ts";
import { decodePacket, encodePacket, packetSize, type PacketVersion } from "./packet_codec.ts";

/** Called once a QoS 1 publish is acknowledged (error: refused) or never, if the connection is lost. */
export type PublishCallback = (error?: Error, packet?: { messageId?: number }) => void;

/** An error the broker gave as a reason code (CONNACK, PUBACK, DISCONNECT). */
class ReasonCodeError extends Error {
  /** The code, as MQTT.js gives it (a number). */
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

/**
 * What a {@linkcode LeanClient} tells its sensor: one object with methods instead of an
 * event emitter, so a connection carries no listener table and closures.
 */
export interface LeanClientListener {
  /** CONNACK accepted the connection. */
  connected(): void;
  /** A refusal (with its numeric `code`), a socket or protocol error. */
  failed(error: Error): void;
  /** The broker sent DISCONNECT (MQTT 5: with a reason code). */
  disconnected(reasonCode: number | undefined): void;
  /** The connection closed. */
  closed(): void;
}

/** Packet ids run from 1 to 65535 (MQTT-2.2.1-3: non-zero). */
const MAX_PACKET_ID = 65_535;

/**
 * One sensor's MQTT connection over `node:net` (or an in-memory stream to the
 * embedded broker), holding no decoder of its own (see `packet_codec.ts`); it tells
 * its {@linkcode LeanClientListener} what happens.
 */
export class LeanClient {
  /** The current connection's stream (what backpressure is read from). */
  stream!: Duplex;
  /** Whether CONNACK accepted the current connection. */
  connected = false;
  readonly #target: BrokerTarget;
  readonly #settings: ClientSettings;
  readonly #listener: LeanClientListener;
  readonly #version: PacketVersion;
  readonly #connect: IConnectPacket;
  /** QoS 1 publishes awaiting their PUBACK, by packet id; made on the first one. */
  #pending: Map<number, PublishCallback> | null = null;
  /** The start of a packet whose end has not arrived yet. */
  #partial: Uint8Array | null = null;
  #nextId = 1;
  #keepalive: number | null = null;
  #sentSinceBeat = false;
  #pingOutstanding = false;
  #beatsSincePing = 0;
  #endCallback: (() => void) | null = null;
  /** The broker's maximum packet size from its CONNACK (MQTT 5), in bytes; 0 for none. */
  #maxPacketBytes = 0;

  /** A client for `target` with this connection's `settings`; nothing opens before connect(). */
  constructor(target: BrokerTarget, settings: ClientSettings, listener: LeanClientListener) {
    this.#target = target;
    this.#settings = settings;
    this.#listener = listener;
    this.#version = target.protocolVersion;
    const url = new URL(target.url);
    const username = settings.credentials?.username ?? target.username ??
      (url.username === "" ? undefined : decodeURIComponent(url.username));
    const password = settings.credentials?.password ?? target.password ??
      (url.password === "" ? undefined : decodeURIComponent(url.password));
    const will = settings.will;
    // MQTT-3.1.2: the CONNECT of this client, the same for every (re)connect.
    this.#connect = {
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: this.#version,
      clean: settings.clean ?? target.cleanStart,
      clientId: settings.clientId,
      keepalive: target.keepaliveSec,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password: Buffer.from(password) }),
      ...(will === undefined ? {} : {
        will: {
          topic: will.topic,
          payload: Buffer.from(will.payload),
          qos: will.qos,
          retain: will.retain,
        },
      }),
      // MQTT-3.1.2-11: session expiry is a v5 CONNECT property.
      ...(this.#version === 5 && target.sessionExpirySec > 0
        ? { properties: { sessionExpiryInterval: target.sessionExpirySec } }
        : {}),
    };
  }

  /** Opens the connection and sends CONNECT. */
  connect(): this {
    this.#open();
    return this;
  }

  /** Opens a new connection (the last one is closed); unacknowledged publishes are forgotten. */
  reconnect(): this {
    this.#open();
    return this;
  }

  /**
   * Sends a PUBLISH. QoS 0 is written and forgotten; QoS 1 gets the next packet id and
   * `callback` runs on its PUBACK (MQTT-4.3.2), with an error when the reason code is
   * 0x80 or more (MQTT 5).
   */
  publish(
    topic: string,
    payload: string,
    options: PublishOptions,
    callback?: PublishCallback,
  ): void {
    const qos = options.qos ?? 0;
    const packet: Record<string, unknown> = {
      cmd: "publish",
      topic,
      payload,
      qos,
      retain: options.retain === true,
      dup: false,
    };
    if (qos > 0) {
      const messageId = this.#takePacketId();
      packet.messageId = messageId;
      if (callback !== undefined) (this.#pending ??= new Map()).set(messageId, callback);
    }
    if (this.#version === 5 && options.properties !== undefined) {
      packet.properties = options.properties;
    }
    const bytes = encodePacket(packet as unknown as Packet, this.#version);
    if (this.#maxPacketBytes > 0 && bytes.length > this.#maxPacketBytes) {
      // MQTT-3.1.2-24: never sent; reported as the broker's "packet too large" (0x95).
      if (packet.messageId !== undefined) this.#pending?.delete(packet.messageId as number);
      const error = new ReasonCodeError(
        `packet of ${bytes.length} bytes above the broker's maximum of ${this.#maxPacketBytes}`,
        0x95,
      );
      if (callback !== undefined) queueMicrotask(() => callback(error));
      else this.#listener.failed(error);
      return;
    }
    this.#writeBytes(bytes);
  }

  /** Subscriptions are MQTT.js's: a fleet that takes commands never gets this client. */
  subscribe(): never {
    throw new Error("the lean transport does not subscribe; commands run on MQTT.js");
  }

  /**
   * Ends the connection: with `force`, at once; otherwise after a DISCONNECT
   * (MQTT-3.14, which discards the will). `callback` runs once the stream is closed.
   */
  end(force = false, _options: unknown = {}, callback?: () => void): this {
    const stream = this.stream as Duplex | undefined;
    this.#stopKeepalive();
    if (stream === undefined || stream.destroyed) {
      callback?.();
      return this;
    }
    this.#endCallback = callback ?? null;
    if (!force && this.connected) {
      this.#write({ cmd: "disconnect" } as Packet);
      stream.end();
    } else stream.destroy();
    return this;
  }

  #open(): void {
    const previous = this.stream as Duplex | undefined;
    if (previous !== undefined && !previous.destroyed) {
      previous.removeAllListeners();
      previous.destroy();
    }
    this.connected = false;
    this.#pending = null;
    this.#partial = null;
    this.#pingOutstanding = false;
    this.#maxPacketBytes = 0;
    const stream = this.#openStream();
    this.stream = stream;
    stream.on("data", (chunk: Uint8Array) => this.#receive(stream, chunk));
    stream.on("error", (error: Error) => this.#listener.failed(error));
    stream.on("close", () => {
      if (this.stream !== stream) return;
      this.connected = false;
      this.#stopKeepalive();
      this.#pending = null;
      this.#partial = null;
      const done = this.#endCallback;
      this.#endCallback = null;
      this.#listener.closed();
      done?.();
    });
    this.#write(this.#connect);
  }

  #openStream(): Duplex {
    if (this.#target.openStream !== undefined) return this.#target.openStream();
    const url = new URL(this.#target.url);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port === "" ? 1883 : Number(url.port);
    // noDelay: Nagle's algorithm would hold a PUBACK-sized write up to 40 ms.
    return net.createConnection({
      host,
      port,
      localAddress: this.#settings.localAddress,
      noDelay: true,
    });
  }

  /** Decodes every whole packet of `chunk` (after what was left of the last one) in order. */
  #receive(stream: Duplex, chunk: Uint8Array): void {
    const bytes = this.#partial === null ? chunk : Buffer.concat([this.#partial, chunk]);
    this.#partial = null;
    let offset = 0;
    while (offset < bytes.length) {
      let packet: Packet;
      try {
        const size = packetSize(bytes, offset);
        if (size === 0) break;
        packet = decodePacket(bytes.subarray(offset, offset + size), this.#version);
        offset += size;
      } catch (error) {
        // A malformed packet from the broker: the connection cannot go on (MQTT-4.13).
        this.#listener.failed(error as Error);
        stream.destroy();
        return;
      }
      this.#onPacket(packet);
      if (this.stream !== stream || stream.destroyed) return;
    }
    // A copy, so the rest of the chunk is not held while the packet completes.
    if (offset < bytes.length) this.#partial = bytes.slice(offset);
  }

  #onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case "connack": {
        const code = (packet as { returnCode?: number; reasonCode?: number }).returnCode ??
          (packet as { reasonCode?: number }).reasonCode ?? 0;
        if (code !== 0) {
          // MQTT-3.2.2-5 / MQTT-3.2.2-7: a refusal is followed by the broker closing.
          this.#listener.failed(new ReasonCodeError(`connection refused: ${code}`, code));
          this.stream.destroy();
          return;
        }
        this.connected = true;
        // MQTT-3.2.2.3.6: the client must not send packets above this size.
        this.#maxPacketBytes =
          (packet as { properties?: { maximumPacketSize?: number } }).properties
            ?.maximumPacketSize ?? 0;
        this.#startKeepalive();
        this.#listener.connected();
        return;
      }
      case "puback": {
        const { messageId, reasonCode } = packet as { messageId?: number; reasonCode?: number };
        if (messageId === undefined) return;
        const callback = this.#pending?.get(messageId);
        this.#pending?.delete(messageId);
        // MQTT-3.4.2.1: 0x80 or more is a failure (v5); a 3.1.1 PUBACK has no code.
        callback?.(
          reasonCode !== undefined && reasonCode >= 0x80
            ? new ReasonCodeError(`publish refused: ${reasonCode}`, reasonCode)
            : undefined,
          { messageId },
        );
        return;
      }
      case "pingresp":
        this.#pingOutstanding = false;
        return;
      case "disconnect":
        // MQTT-3.14.2.1: a v5 broker says why it closes.
        this.#listener.disconnected((packet as { reasonCode?: number }).reasonCode);
        this.stream.destroy();
        return;
      default:
        // A plain sensor subscribes to nothing; anything else is not for it.
        return;
    }
  }

  #write(packet: Packet): void {
    this.#writeBytes(encodePacket(packet, this.#version));
  }

  #writeBytes(bytes: Uint8Array): void {
    const stream = this.stream;
    if (stream.destroyed) return;
    this.#sentSinceBeat = true;
    stream.write(bytes);
  }

  #takePacketId(): number {
    // Skips ids still awaiting their PUBACK (MQTT-2.2.1-3: unique while in flight).
    for (let tries = 0; tries < MAX_PACKET_ID; tries++) {
      const id = this.#nextId;
      this.#nextId = id === MAX_PACKET_ID ? 1 : id + 1;
      if (this.#pending?.has(id) !== true) return id;
    }
    throw new Error("every packet id is in flight");
  }

  /**
   * MQTT-3.1.2-23: a client sends a control packet at least every keepalive period, a
   * PINGREQ when it has nothing else to send. The beat runs at half the period, so a
   * PINGREQ leaves within one period of the last packet; a PINGRESP that has not come
   * a whole period after its PINGREQ means the connection is gone. One shared timer
   * beats for every client (target.keepaliveTimer).
   */
  #startKeepalive(): void {
    const periodMs = this.#target.keepaliveSec * 1000;
    const timer = this.#target.keepaliveTimer;
    if (periodMs === 0 || timer === undefined) return;
    this.#sentSinceBeat = false;
    this.#beatsSincePing = 0;
    this.#keepalive = timer.set(() => {
      if (this.#pingOutstanding && ++this.#beatsSincePing > 2) {
        this.#listener.failed(
          new Error("keepalive timeout: no PINGRESP within the keepalive period"),
        );
        this.stream.destroy();
        return;
      }
      if (this.#sentSinceBeat || this.#pingOutstanding) {
        this.#sentSinceBeat = false;
        return;
      }
      this.#pingOutstanding = true;
      this.#beatsSincePing = 0;
      this.#write({ cmd: "pingreq" } as Packet);
      this.#sentSinceBeat = false;
    }, periodMs / 2);
  }

  #stopKeepalive(): void {
    if (this.#keepalive === null) return;
    this.#target.keepaliveTimer?.clear(this.#keepalive);
    this.#keepalive = null;
  }
}
