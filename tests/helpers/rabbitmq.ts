/**
 * RabbitMQ with its MQTT plugin (MQTT 3.1.1), started by a test on free loopback
 * ports with a configuration and data directory of its own, from Debian's
 * `rabbitmq-server`. Required in CI; elsewhere {@linkcode findRabbitMq} says whether it
 * is installed so the tests can skip with a note.
 *
 * @module
 */
import { freeListenPort } from "./listen_port.ts";

/** A running RabbitMQ node for one test file. */
export interface RabbitMq extends AsyncDisposable {
  /** Where MQTT clients connect, like `mqtt://127.0.0.1:40123`. */
  readonly url: string;
  /** Stops the broker inside the node (every client is cut off) and starts it again. */
  restart(): Promise<void>;
  /** Stops the node and removes its directory; idempotent. */
  stop(): Promise<void>;
}

const SERVER_PATHS = ["/usr/lib/rabbitmq/bin/rabbitmq-server"];
const CTL_PATHS = ["/usr/lib/rabbitmq/bin/rabbitmqctl"];
/** A node starts in about 10 s on this project's machines. */
const START_TIMEOUT_MS = 90_000;
const POLL_MS = 250;

function firstExisting(paths: readonly string[]): string | undefined {
  return paths.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/** The RabbitMQ server script, or undefined when it is not installed. */
export function findRabbitMq(): string | undefined {
  return firstExisting(SERVER_PATHS);
}

async function accepts(port: number): Promise<boolean> {
  try {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    connection.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a RabbitMQ node with the MQTT plugin on loopback ports (anonymous MQTT as the
 * default `guest` user), and resolves once its MQTT port accepts connections.
 */
export async function startRabbitMq(): Promise<RabbitMq> {
  const server = findRabbitMq();
  const ctl = firstExisting(CTL_PATHS);
  if (server === undefined || ctl === undefined) {
    throw new Error("rabbitmq-server is not installed (apt-get install -y rabbitmq-server)");
  }
  const dir = await Deno.makeTempDir({ prefix: "iotload-rabbitmq-" });
  const mqttPort = freeListenPort();
  const amqpPort = freeListenPort();
  const node = `iotload${amqpPort}@localhost`;
  await Deno.writeTextFile(`${dir}/enabled_plugins`, "[rabbitmq_mqtt].\n");
  await Deno.writeTextFile(
    `${dir}/rabbitmq.conf`,
    [
      `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
      `mqtt.listeners.tcp.default = 127.0.0.1:${mqttPort}`,
      "mqtt.allow_anonymous = true",
      "loopback_users = none",
      "log.console = true",
      "log.console.level = error",
      "log.file = false",
      "",
    ].join("\n"),
  );
  const env = {
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(freeListenPort()),
    ERL_EPMD_ADDRESS: "127.0.0.1",
    RABBITMQ_MNESIA_BASE: `${dir}/mnesia`,
    RABBITMQ_LOG_BASE: `${dir}/log`,
    RABBITMQ_ENABLED_PLUGINS_FILE: `${dir}/enabled_plugins`,
    RABBITMQ_CONFIG_FILE: `${dir}/rabbitmq`,
    RABBITMQ_PID_FILE: `${dir}/pid`,
  };
  const child = new Deno.Command(server, {
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const startedAt = performance.now();
  while (!(await accepts(mqttPort))) {
    if (performance.now() - startedAt > START_TIMEOUT_MS) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error(`rabbitmq did not listen on ${mqttPort}: ${(await stderr).slice(-2_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      await new Deno.Command(ctl, {
        args: ["-n", node, "stop"],
        env,
        stdout: "null",
        stderr: "null",
      })
        .output();
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await child.status;
      clearTimeout(timer);
      await stderr;
      await Deno.remove(dir, { recursive: true });
    })();
  const control = async (command: string) => {
    const output = await new Deno.Command(ctl, {
      args: ["-n", node, command],
      env,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`rabbitmqctl ${command}: ${new TextDecoder().decode(output.stderr)}`);
    }
  };
  const restart = async () => {
    await control("stop_app");
    await control("start_app");
    while (!(await accepts(mqttPort))) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  };
  return { url: `mqtt://127.0.0.1:${mqttPort}`, restart, stop, [Symbol.asyncDispose]: stop };
}
