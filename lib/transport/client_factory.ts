import * as net from "node:net";
import type { Duplex } from "node:stream";
import mqtt, { type IClientOptions, type IStore, MqttClient, Store } from "mqtt";
import type { IntervalTimer } from "./shared_interval_timer.ts";
import type { ProtocolVersion } from "../config/scenario.ts";

/** TLS material, already read from files. */
export interface TlsMaterial {
  /** PEM CA bundle. */
  readonly ca?: string;
  /** PEM client certificate. */
  readonly cert?: string;
  /** PEM client key. */
  readonly key?: string;
  /** Skip certificate verification. */
  readonly insecure: boolean;
}

/** Where and how to connect: shared by every connection of a run. */
export interface BrokerTarget {
  /** Broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`). */
  readonly url: string;
  /** MQTT protocol version. */
  readonly protocolVersion: ProtocolVersion;
  /** Keepalive in seconds. */
  readonly keepaliveSec: number;
  /** MQTT username. */
  readonly username?: string;
  /** MQTT password. */
  readonly password?: string;
  /** Clean session (3.1.1) / clean start (5). */
  readonly cleanStart: boolean;
  /** MQTT 5 session expiry interval, in seconds; 0 ends the session with the connection. */
  readonly sessionExpirySec: number;
  /** TLS material for mqtts:// and wss://. */
  readonly tls: TlsMaterial;
  /** One keepalive timer shared by every connection (see shared_interval_timer.ts). */
  readonly keepaliveTimer?: IntervalTimer;
  /** Stores shared by every connection; only safe when no connection uses QoS 1/2. */
  readonly sharedStores?: MessageStores;
  /**
   * Opens a connection to the broker without a socket (the embedded broker on this
   * thread); when set, `mqtt://` connections use it instead of TCP.
   */
  readonly openStream?: () => Duplex;
}

/** The pair of MQTT.js message stores a client uses. */
export interface MessageStores {
  /** Incoming QoS 2 messages. */
  readonly incomingStore: IStore;
  /** Outgoing QoS 1/2 messages. */
  readonly outgoingStore: IStore;
}

/** One sensor's identity towards the broker; each part unset falls back to the target's. */
export interface SensorCredentials {
  /** MQTT username. */
  readonly username?: string;
  /** MQTT password (a secret). */
  readonly password?: string;
  /** PEM client certificate. */
  readonly cert?: string;
  /** PEM client key (a secret). */
  readonly key?: string;
}

/** Per-connection MQTT options. */
export interface ClientSettings {
  /** MQTT client identifier (MQTT-3.1.3-3). */
  readonly clientId: string;
  /** Clean session (3.1.1) / clean start (5) for this connection; default: the target's. */
  readonly clean?: boolean;
  /** Source address of the connection; unset lets the OS pick. */
  readonly localAddress?: string;
  /** Last will the broker publishes if this connection drops uncleanly (MQTT-3.1.2-8). */
  readonly will?: {
    readonly topic: string;
    readonly payload: string;
    readonly qos: 0 | 1 | 2;
    readonly retain: boolean;
  };
  /** Use MQTT 5 topic aliases for repeated topics; default false. */
  readonly topicAlias?: boolean;
  /**
   * Let MQTT.js reconnect by itself every this many ms and resubscribe (for the
   * probe's few connections); default: never (sensors reconnect with backoff).
   */
  readonly reconnectPeriodMs?: number;
  /** Let MQTT.js renew the subscriptions after a reconnect; default: when it reconnects. */
  readonly resubscribe?: boolean;
  /** This connection's own username, password, certificate and key; unset: the target's. */
  readonly credentials?: SensorCredentials;
}

/**
 * Disconnects cleanly (DISCONNECT, then close), or forcibly once `timeoutMs` has passed;
 * resolves either way.
 */
export function endClient(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.end(true);
      resolve();
    }, timeoutMs);
    client.end(false, {}, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** One pair of empty stores for connections that never publish above QoS 0. */
export function createSharedStores(): MessageStores {
  return { incomingStore: new Store(), outgoingStore: new Store() };
}

function ignoreLog(): void {}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  "mqtt:": 1883,
  "mqtts:": 8883,
  "ws:": 80,
  "wss:": 443,
};

/**
 * Creates an MQTT.js client that does not connect until `client.connect()` and, unless
 * `reconnectPeriodMs` is set, never reconnects by itself (the caller owns reconnects,
 * with backoff and jitter).
 *
 * For `mqtt://` the socket comes from a stream builder on `node:net`, which honours a
 * local address and is called again by `client.reconnect()`.
 */
export function createMqttClient(
  target: BrokerTarget,
  settings: ClientSettings,
): MqttClient {
  const url = new URL(target.url);
  const options: IClientOptions = {
    clientId: settings.clientId,
    protocolVersion: target.protocolVersion,
    keepalive: target.keepaliveSec,
    clean: settings.clean ?? target.cleanStart,
    // MQTT-3.1.2-11: session expiry is a v5 CONNECT property; 3.1.1 has none.
    properties: target.protocolVersion === 5 && target.sessionExpirySec > 0
      ? { sessionExpiryInterval: target.sessionExpirySec }
      : undefined,
    username: settings.credentials?.username ?? target.username ??
      (url.username === "" ? undefined : decodeURIComponent(url.username)),
    password: settings.credentials?.password ?? target.password ??
      (url.password === "" ? undefined : decodeURIComponent(url.password)),
    reconnectPeriod: settings.reconnectPeriodMs ?? 0,
    will: settings.will === undefined ? undefined : { ...settings.will },
    autoAssignTopicAlias: settings.topicAlias === true,
    autoUseTopicAlias: settings.topicAlias === true,
    // The caller times connects itself; this only stops MQTT.js from waiting 30 s.
    connectTimeout: 120_000,
    // Offline QoS 0 messages are dropped and counted by the caller, never queued.
    queueQoSZero: false,
    resubscribe: settings.resubscribe ?? settings.reconnectPeriodMs !== undefined,
    manualConnect: true,
    // Keepalive pings on a fixed beat instead of re-arming a timer on every publish.
    reschedulePings: false,
    // One shared no-op logger: MQTT.js otherwise makes a `debug` instance per client.
    log: ignoreLog,
    timerVariant: target.keepaliveTimer,
    ...target.sharedStores,
  };
  if (url.protocol === "mqtt:" && target.openStream !== undefined) {
    return new MqttClient(target.openStream, options);
  }
  if (url.protocol === "mqtt:") {
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port === "" ? DEFAULT_PORTS[url.protocol] : Number(url.port);
    const localAddress = settings.localAddress;
    // MQTT.js ignores the localAddress option for mqtt://; a stream builder honours it.
    // noDelay: Nagle's algorithm holds small packets (an answer, a PUBACK) up to 40 ms
    // behind an unacknowledged one, which would show up as broker latency.
    return new MqttClient(
      () => net.createConnection({ host, port, localAddress, noDelay: true }),
      options,
    );
  }
  const tlsOptions: IClientOptions & { localAddress?: string } = {
    ...options,
    ca: target.tls.ca,
    cert: settings.credentials?.cert ?? target.tls.cert,
    key: settings.credentials?.key ?? target.tls.key,
    rejectUnauthorized: !target.tls.insecure,
  };
  if (settings.localAddress !== undefined) {
    // mqtts:// hands its options to tls.connect; ws:// and wss:// take wsOptions.
    tlsOptions.localAddress = settings.localAddress;
    tlsOptions.wsOptions = { localAddress: settings.localAddress };
  }
  return mqtt.connect(target.url, tlsOptions);
}
