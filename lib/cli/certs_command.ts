import { makeCertificates } from "../engine/device_certificates.ts";
import { UsageError } from "../config/usage_error.ts";
import { parseInteger } from "../config/values.ts";
import { EXIT } from "./exit_codes.ts";
import { parseFlags } from "./flag_parser.ts";
import type { TerminalIo } from "./terminal_io.ts";

const CERTS_FLAGS = {
  "ca-dir": { type: "string" },
  sensors: { type: "string", short: "c" },
  out: { type: "string", short: "o" },
  "client-id": { type: "string" },
  "server-name": { type: "string" },
  days: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const CERTS_HELP = `Usage: iotload certs --ca-dir DIR --sensors N --out DIR [flags]

Makes a test CA (in --ca-dir; reused when it is already there), one client
certificate per sensor (--out DIR/{id}.pem and {id}.key, CN = the sensor's client
id), and a server certificate for the broker (DIR/server.pem, server.key). ECDSA
P-256, made with the runtime's own crypto. For tests only: the keys are not protected.

Flags:
  --ca-dir DIR          where the CA is kept (ca.pem, ca.key)
  -c, --sensors N       certificates to make, one per sensor
  -o, --out DIR         where the device and server certificates go
  --client-id TEMPLATE  the sensors' client id template (default: iotload-{id})
  --server-name NAME    the broker's IP address or host name (default: 127.0.0.1)
  --days N              validity in days (default: 365)
  -h, --help            show this help
`;

/** `iotload certs`: writes a test CA and per-device certificates; prints how to use them. */
export async function certsCommand(argv: readonly string[], io: TerminalIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, CERTS_FLAGS);
  if (values.help === true) {
    io.stdout.write(CERTS_HELP);
    return EXIT.OK;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[0])}`,
      "iotload certs --help",
    );
  }
  const text = (name: string) =>
    typeof values[name] === "string" ? values[name] as string : undefined;
  const missing = ["ca-dir", "sensors", "out"].filter((name) => text(name) === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `certs needs ${missing.map((name) => `--${name}`).join(", ")}`,
      "iotload certs --ca-dir ca --sensors 100 --out certs",
    );
  }
  const sensors = parseInteger(text("sensors")!, "--sensors", 1, 1_000_000);
  const days = parseInteger(text("days") ?? "365", "--days", 1, 36_500);
  const started = performance.now();
  const result = await makeCertificates(
    {
      caDir: text("ca-dir")!,
      outDir: text("out")!,
      sensors,
      clientIdTemplate: text("client-id") ?? "iotload-{id}",
      serverName: text("server-name") ?? "127.0.0.1",
      days,
    },
    (done) =>
      io.stderr.write(
        `certs: ${done.toLocaleString("en-US")} of ${sensors.toLocaleString("en-US")}\n`,
      ),
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  io.stdout.write(
    `${result.caCreated ? "made" : "reused"} the CA ${result.caCert}; wrote ${
      sensors.toLocaleString("en-US")
    } device certificates and the server's (${result.server.cert}) in ${seconds} s

In a scenario file (paths relative to it), a fleet connects with them as:
  broker: { url: "mqtts://HOST:8883", tls: { ca: "${result.caCert}" } }
  fleets: [{ tls: { cert: "${result.certTemplate}", key: "${result.keyTemplate}" } }]
or with flags: --ca ${result.caCert} --cert '${result.certTemplate}' --key '${result.keyTemplate}'
`,
  );
  return EXIT.OK;
}
