import type { FlagSpec } from "./flag_parser.ts";

/** A flag of `iotload run`, with what `--help` says about it. */
export interface RunFlag extends FlagSpec {
  /** Long name, without dashes. */
  readonly name: string;
  /** Placeholder for the value in help, e.g. `N` or `DURATION`. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
  /** The default, as shown in help. */
  readonly defaultText?: string;
}

/** Every flag of `iotload run`, in the order help lists them. */
export const RUN_FLAGS: readonly RunFlag[] = [
  {
    name: "scenario",
    short: "s",
    type: "string",
    value: "FILE",
    help: "scenario file (YAML or JSON); flags and IOTLOAD_* variables override it",
  },
  {
    name: "url",
    type: "string",
    value: "URL",
    help: "broker URL: mqtt://, mqtts://, ws://, wss://",
    defaultText: "none: start the embedded broker",
  },
  { name: "username", short: "u", type: "string", value: "NAME", help: "MQTT username" },
  {
    name: "password",
    short: "P",
    type: "string",
    value: "SECRET",
    help: "MQTT password (or IOTLOAD_PASSWORD); never printed",
  },
  { name: "ca", type: "string", value: "FILE", help: "PEM CA bundle for mqtts:// and wss://" },
  { name: "cert", type: "string", value: "FILE", help: "PEM client certificate (with --key)" },
  { name: "key", type: "string", value: "FILE", help: "PEM client key (with --cert)" },
  { name: "insecure", type: "boolean", help: "skip TLS certificate verification" },
  {
    name: "sensors",
    short: "c",
    type: "string",
    value: "N",
    help: "sensors, each with its own connection",
    defaultText: "10000",
  },
  {
    name: "interval",
    short: "i",
    type: "string",
    value: "DURATION",
    help: "time between two readings of one sensor (500ms, 5s, 2m)",
    defaultText: "5s",
  },
  {
    name: "duration",
    short: "d",
    type: "string",
    value: "DURATION",
    help: "how long to publish after ramp-up; 0 runs until interrupted",
    defaultText: "60s",
  },
  {
    name: "qos",
    short: "q",
    type: "string",
    value: "0|1|2",
    help: "publish QoS",
    defaultText: "0",
  },
  { name: "retain", type: "boolean", help: "publish telemetry with the retain flag" },
  {
    name: "jitter",
    type: "string",
    value: "DURATION",
    help: "move each send by a random offset below DURATION",
    defaultText: "0",
  },
  {
    name: "profile",
    type: "string",
    value: "NAME",
    help: "device profile: environment, gps-tracker, energy-meter, vibration, door",
    defaultText: "environment",
  },
  {
    name: "offline-buffer",
    type: "string",
    value: "N",
    help: "readings a disconnected sensor keeps and sends on reconnect; 0 drops them",
    defaultText: "0",
  },
  {
    name: "payload-size",
    type: "string",
    value: "BYTES",
    help: "pad every payload to exactly BYTES (raw throughput); 0 keeps the reading's size",
    defaultText: "0",
  },
  {
    name: "payload-template",
    type: "string",
    value: "JSON",
    help: "message body after sensorId/seq/ts, e.g. " +
      `'{"site":"hq",{reading}}'; {faker:person.firstName} and other placeholders allowed`,
    defaultText: "identity and reading",
  },
  {
    name: "protocol-version",
    short: "V",
    type: "string",
    value: "4|5",
    help: "MQTT 3.1.1 (4) or 5",
    defaultText: "5",
  },
  {
    name: "keepalive",
    short: "k",
    type: "string",
    value: "SECONDS",
    help: "MQTT keepalive (60 or 60s)",
    defaultText: "60",
  },
  {
    name: "topic",
    short: "t",
    type: "string",
    value: "TEMPLATE",
    help: "topic template; {id} zero-padded sensor number, {index}",
    defaultText: "sensors/{id}/telemetry",
  },
  {
    name: "client-id",
    type: "string",
    value: "TEMPLATE",
    help: "client id template",
    defaultText: "iotload-{id}",
  },
  {
    name: "connect-rate",
    short: "R",
    type: "string",
    value: "N",
    help: "new connections per second during ramp-up and reconnects",
    defaultText: "1000",
  },
  {
    name: "connect-concurrency",
    type: "string",
    value: "N",
    help: "connection attempts in flight at most",
    defaultText: "100",
  },
  {
    name: "connect-timeout",
    type: "string",
    value: "DURATION",
    help: "TCP start to CONNACK allowance",
    defaultText: "10s",
  },
  {
    name: "ack-timeout",
    type: "string",
    value: "DURATION",
    help: "QoS 1/2 acknowledgement allowance",
    defaultText: "10s",
  },
  {
    name: "max-inflight",
    type: "string",
    value: "N",
    help: "unacknowledged QoS 1/2 publishes per connection",
    defaultText: "16",
  },
  {
    name: "bind",
    type: "string",
    value: "ADDRS",
    help: "source addresses, round-robin: 127.0.0.2,127.0.0.3 or 127.0.0.2-127.0.0.9",
  },
  {
    name: "workers",
    short: "w",
    type: "string",
    value: "N|auto",
    help: "worker threads (one event loop each); auto uses the cores the load needs",
    defaultText: "1",
  },
  {
    name: "seed",
    type: "string",
    value: "N",
    help: "seed for identities and telemetry",
    defaultText: "1",
  },
  {
    name: "flood",
    type: "boolean",
    help: "raw throughput: publish back to back as fast as each socket takes it (closed loop)",
  },
  { name: "no-probe", type: "boolean", help: "do not run the end-to-end probe subscriber" },
  {
    name: "probe-connections",
    type: "string",
    value: "N",
    help: "probe connections (shared subscription when > 1)",
    defaultText: "1",
  },
  {
    name: "drain",
    type: "string",
    value: "DURATION",
    help: "time the probe keeps listening after the last send",
    defaultText: "2s",
  },
  {
    name: "threshold",
    type: "string",
    multiple: true,
    value: "EXPR",
    help: "fail (exit 1) unless EXPR holds, e.g. e2e.p99<250ms, lost==0 (repeatable)",
  },
  { name: "json", type: "boolean", help: "print the summary as JSON on stdout" },
  {
    name: "out",
    short: "o",
    type: "string",
    value: "FILE",
    help: "write the JSON summary to FILE (atomically)",
  },
  {
    name: "timeline",
    type: "string",
    value: "FILE",
    help: "stream one record per second to FILE as the run goes: .ndjson/.jsonl or .csv",
  },
  { name: "debug", type: "boolean", help: "show causes and stacks of errors" },
  { name: "help", short: "h", type: "boolean", help: "show this help" },
];

/** The flag specs of `iotload run`, keyed by long name, for the flag parser. */
export const RUN_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = Object.fromEntries(
  RUN_FLAGS.map(({ name, type, short, multiple }) => [
    name,
    // node:util parseArgs rejects keys that are present but undefined.
    { type, ...(short === undefined ? {} : { short }), ...(multiple ? { multiple } : {}) },
  ]),
);
