import { startEmbeddedBroker } from "../../lib/broker/embedded_broker.ts";
import { freeListenPort } from "./listen_port.ts";

/** A broker for integration tests; `stop()` is idempotent. */
export interface TestBroker {
  /** Where clients connect, like `mqtt://127.0.0.1:40123`. */
  readonly url: string;
  /** Host name or address from `url`, without IPv6 brackets. */
  readonly host: string;
  /** TCP port from `url`. */
  readonly port: number;
  /** Which broker answers: a Mosquitto child, the embedded aedes, or IOTLOAD_TEST_URL. */
  readonly kind: "mosquitto" | "embedded" | "external";
  /** Stops a broker this fixture started; a no-op for an external one. */
  stop(): Promise<void>;
  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A Mosquitto child process on a loopback port, with fault controls. */
export interface MosquittoProcess extends TestBroker {
  readonly kind: "mosquitto";
  /** Process id of the current child (changes after `restart()`). */
  readonly pid: number;
  /** Freezes the broker with SIGSTOP: sockets stay open, nothing is answered. */
  pause(): void;
  /** Thaws a paused broker with SIGCONT. */
  resume(): void;
  /** Kills the broker with SIGKILL (no clean disconnects) and waits for it to exit. */
  kill(): Promise<void>;
  /**
   * Starts the broker again on the same port and config and waits until it accepts
   * connections; a running broker is stopped with SIGTERM first.
   */
  restart(): Promise<void>;
}

/** Options for {@linkcode startMosquitto}. */
export interface MosquittoOptions {
  /** Loopback port to listen on; default a free one. */
  readonly port?: number;
  /** Lines appended to the generated mosquitto.conf; default none. */
  readonly extraConfig?: string;
}

const LOOPBACK_HOST = "127.0.0.1";
/** How long startMosquitto() and restart() wait for the port to accept TCP (ms). */
const READY_TIMEOUT_MS = 5_000;
/** Pause between readiness probes (ms). */
const READY_POLL_MS = 20;
/** How long stop() waits after SIGTERM before sending SIGKILL (ms). */
const TERM_TIMEOUT_MS = 5_000;
/** How much of the child's stderr is kept for error messages (characters). */
const STDERR_TAIL_CHARS = 8_192;
/** Where Debian puts mosquitto; often missing from a non-root PATH. */
const SBIN_DIRS = ["/usr/sbin", "/usr/local/sbin", "/sbin"];

let embeddedNoteShown = false;

/**
 * The broker integration tests use: IOTLOAD_TEST_URL when set (kind "external");
 * otherwise Mosquitto on a free loopback port when installed; otherwise, unless
 * CI is "true" (then it throws), the embedded broker, with a note on stderr once
 * per process.
 */
export async function startTestBroker(): Promise<TestBroker> {
  const externalUrl = Deno.env.get("IOTLOAD_TEST_URL");
  if (externalUrl !== undefined && externalUrl !== "") {
    return describeExternalBroker(externalUrl);
  }
  if (findMosquitto() !== undefined) return await startMosquitto();
  if (Deno.env.get("CI") === "true") {
    throw new Error(
      "mosquitto is required in CI but was not found on PATH or in /usr/sbin (apt-get install -y mosquitto)",
    );
  }
  if (!embeddedNoteShown) {
    embeddedNoteShown = true;
    console.error(
      "note: mosquitto not found; integration tests use the embedded broker",
    );
  }
  const broker = await startEmbeddedBroker({ host: LOOPBACK_HOST });
  return {
    url: broker.url,
    host: LOOPBACK_HOST,
    port: broker.port,
    kind: "embedded",
    stop: () => broker.stop(),
    [Symbol.asyncDispose]: () => broker.stop(),
  };
}

/**
 * Starts Mosquitto on `127.0.0.1:port` (default a free port) with a generated
 * config in a temporary directory, and resolves once the port accepts TCP
 * connections (within 5 s, else it rejects with the broker's stderr).
 */
export async function startMosquitto(
  options: MosquittoOptions = {},
): Promise<MosquittoProcess> {
  const binary = findMosquitto();
  if (binary === undefined) {
    throw new Error("mosquitto was not found on PATH or in /usr/sbin");
  }
  const port = claimPort(options.port ?? freeListenPort(LOOPBACK_HOST));
  const configDir = await Deno.makeTempDir({ prefix: "iotload-mosquitto-" });
  const configPath = `${configDir}/mosquitto.conf`;
  let child: MosquittoChild | undefined;
  try {
    await Deno.writeTextFile(
      configPath,
      renderConfig(port, options.extraConfig ?? ""),
    );
    child = await spawnReady(binary, configPath, port);
  } catch (error) {
    await Deno.remove(configDir, { recursive: true });
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const current = (action: string): MosquittoChild => {
    if (child === undefined) {
      throw new Error(
        `cannot ${action}: mosquitto on port ${port} is not running`,
      );
    }
    return child;
  };
  const stop = () =>
    stopped ??= (async () => {
      try {
        if (child !== undefined) await terminate(child);
        child = undefined;
      } finally {
        await Deno.remove(configDir, { recursive: true });
      }
    })();

  return {
    url: `mqtt://${LOOPBACK_HOST}:${port}`,
    host: LOOPBACK_HOST,
    port,
    kind: "mosquitto",
    get pid() {
      return current("read the pid").process.pid;
    },
    pause: () => current("pause").process.kill("SIGSTOP"),
    resume: () => current("resume").process.kill("SIGCONT"),
    kill: async () => {
      const running = current("kill");
      running.signalIfRunning("SIGKILL");
      await running.exited;
      child = undefined;
    },
    restart: async () => {
      if (stopped !== undefined) {
        throw new Error(
          `cannot restart: mosquitto on port ${port} was stopped`,
        );
      }
      if (child !== undefined) await terminate(child);
      child = undefined;
      child = await spawnReady(binary, configPath, port);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** One mosquitto child process, its exit and the tail of its stderr. */
class MosquittoChild {
  readonly process: Deno.ChildProcess;
  /** Settles once the process has exited and its stderr is fully read. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** True once `exited` has settled. */
  hasExited = false;
  /** The last STDERR_TAIL_CHARS of the child's stderr. */
  stderrTail = "";

  constructor(binary: string, configPath: string) {
    this.process = new Deno.Command(binary, {
      args: ["-c", configPath],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.exited = Promise.all([this.process.status, this.#drainStderr()])
      .then(([status]) => {
        this.hasExited = true;
        return status;
      });
  }

  /** Sends `signal` while the process runs; one that has exited is left alone. */
  signalIfRunning(signal: "SIGTERM" | "SIGKILL" | "SIGCONT"): void {
    try {
      this.process.kill(signal);
    } catch (error) {
      // Deno throws a TypeError ("Child process has already terminated") once the
      // child has exited; there is nothing left to signal.
      if (!(error instanceof TypeError)) throw error;
    }
  }

  // Read continuously so a chatty broker never blocks on a full pipe.
  async #drainStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.process.stderr) {
      this.stderrTail = (this.stderrTail + decoder.decode(chunk, { stream: true }))
        .slice(-STDERR_TAIL_CHARS);
    }
  }
}

function renderConfig(port: number, extraConfig: string): string {
  return [
    `listener ${port} ${LOOPBACK_HOST}`,
    "allow_anonymous true",
    // Nothing survives a restart, as after a real crash without persistence, and
    // no files are written beside the config.
    "persistence false",
    // The default queue of 1,000 QoS 1/2 messages per client silently drops the
    // rest, which a probe subscribed to a whole fleet would report as loss that
    // the broker's configuration, not its capacity, caused. Still bounded, so a
    // stalled subscriber cannot grow the broker without limit.
    "max_queued_messages 100000",
    // The default of 20 unacknowledged QoS 1/2 deliveries per client throttles a
    // fleet-wide subscriber to 20 messages per round trip.
    "max_inflight_messages 1000",
    // Nagle's algorithm would add up to tens of milliseconds to latencies the
    // tests measure.
    "set_tcp_nodelay true",
    // Only problems go to stderr: a line per connection from thousands of
    // sensors would be noise, and the tail is what a failed start reports.
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "connection_messages false",
    extraConfig,
    "",
  ].join("\n");
}

async function spawnReady(
  binary: string,
  configPath: string,
  port: number,
): Promise<MosquittoChild> {
  claimPort(port);
  const child = new MosquittoChild(binary, configPath);
  try {
    await waitUntilListening(child, port);
    return child;
  } catch (error) {
    child.signalIfRunning("SIGKILL");
    await child.exited;
    const stderr = child.stderrTail.trim();
    throw new Error(
      `${describeError(error)}${stderr === "" ? "" : `; stderr: ${stderr}`}`,
      { cause: error },
    );
  }
}

async function waitUntilListening(
  child: MosquittoChild,
  port: number,
): Promise<void> {
  const deadlineMs = Date.now() + READY_TIMEOUT_MS;
  while (true) {
    if (child.hasExited) {
      const status = await child.exited;
      throw new Error(
        `mosquitto exited with code ${status.code} before listening on ${LOOPBACK_HOST}:${port}`,
      );
    }
    try {
      const connection = await Deno.connect({ hostname: LOOPBACK_HOST, port });
      connection.close();
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
    }
    if (Date.now() >= deadlineMs) {
      throw new Error(
        `mosquitto did not listen on ${LOOPBACK_HOST}:${port} within ${READY_TIMEOUT_MS} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

async function terminate(child: MosquittoChild): Promise<void> {
  child.signalIfRunning("SIGTERM");
  // A paused broker would hold SIGTERM pending until it is continued.
  child.signalIfRunning("SIGCONT");
  const timer = setTimeout(
    () => child.signalIfRunning("SIGKILL"),
    TERM_TIMEOUT_MS,
  );
  try {
    await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

function describeExternalBroker(url: string): TestBroker {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `IOTLOAD_TEST_URL: expected a URL like mqtt://host:1883, got ${JSON.stringify(url)}`,
    );
  }
  const stop = () => Promise.resolve();
  return {
    url,
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? defaultPort(parsed.protocol) : Number(parsed.port),
    kind: "external",
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function defaultPort(protocol: string): number {
  switch (protocol) {
    case "mqtts:":
    case "ssl:":
    case "tls:":
      return 8883;
    case "ws:":
      return 80;
    case "wss:":
      return 443;
    default:
      return 1883;
  }
}

/** Path of an executable `mosquitto` on PATH or in /usr/sbin (and friends), if any. */
export function findMosquitto(): string | undefined {
  const pathDirs = (Deno.env.get("PATH") ?? "").split(":").filter((dir) => dir !== "");
  for (const dir of [...pathDirs, ...SBIN_DIRS]) {
    const candidate = `${dir}/mosquitto`;
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return candidate;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}

/**
 * Binds `port` on the loopback address and releases it again, returning the port. A port already in use would otherwise pass the readiness
 * wait, answered by whoever holds it, while mosquitto exits.
 */
function claimPort(port: number): number {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: LOOPBACK_HOST, port });
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    throw new Error(
      `cannot start mosquitto: ${LOOPBACK_HOST}:${port} is already in use`,
      { cause: error },
    );
  }
  // Released before mosquitto binds it; a race with another process taking it in
  // between is accepted for tests.
  listener.close();
  return listener.addr.port;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
