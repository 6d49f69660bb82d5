import { findMosquitto } from "./test_broker.ts";
import { freeListenPort } from "./listen_port.ts";

/** A Mosquitto child that no client has touched before the test's own. */
export interface UntouchedMosquitto extends AsyncDisposable {
  /** Where clients connect, like `mqtt://127.0.0.1:40123`. */
  readonly url: string;
  /** Stops the broker (SIGTERM, then SIGKILL after 5 s) and removes its config. */
  stop(): Promise<void>;
}

const LOOPBACK_HOST = "127.0.0.1";
/** How long to wait for the port to be listening (ms). */
const READY_TIMEOUT_MS = 5_000;
/** Pause between looks at the socket table (ms). */
const READY_POLL_MS = 20;
/** How long stop() waits after SIGTERM before sending SIGKILL (ms). */
const TERM_TIMEOUT_MS = 5_000;
/** State code of a listening socket in /proc/net/tcp. */
const TCP_LISTEN = "0A";

/**
 * Starts Mosquitto on a free loopback port with `extraConfig` appended to a minimal
 * config, and resolves once the kernel shows the port listening (read from
 * /proc/net/tcp, Linux only).
 *
 * Unlike startMosquitto(), readiness is not probed with a TCP connection: Mosquitto
 * 2.0.11 counts a client that closes without sending CONNECT out of a listener twice
 * (its issue #1460), so one probe lets `max_connections N` admit N + 1 clients.
 */
export async function startUntouchedMosquitto(extraConfig: string): Promise<UntouchedMosquitto> {
  const binary = findMosquitto();
  if (binary === undefined) {
    throw new Error("mosquitto was not found on PATH or in /usr/sbin");
  }
  const port = freeListenPort();
  const configDir = await Deno.makeTempDir({ prefix: "iotload-mosquitto-" });
  const configPath = `${configDir}/mosquitto.conf`;
  await Deno.writeTextFile(
    configPath,
    [
      `listener ${port} ${LOOPBACK_HOST}`,
      "allow_anonymous true",
      "persistence false",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "connection_messages false",
      extraConfig,
      "",
    ].join("\n"),
  );
  const child = new Deno.Command(binary, {
    args: ["-c", configPath],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.then((result) => {
    exited = true;
    return result;
  });
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
    }, TERM_TIMEOUT_MS);
    try {
      await Promise.all([status, stderr]);
    } finally {
      clearTimeout(timer);
      await Deno.remove(configDir, { recursive: true });
    }
  };
  try {
    const deadlineMs = performance.now() + READY_TIMEOUT_MS;
    while (!(await isListening(port))) {
      if (exited) throw new Error(`mosquitto exited before listening on port ${port}`);
      if (performance.now() > deadlineMs) {
        throw new Error(`mosquitto did not listen on port ${port} within ${READY_TIMEOUT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; stderr: ${(await stderr).trim()}`);
  }
  return {
    url: `mqtt://${LOOPBACK_HOST}:${port}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function isListening(port: number): Promise<boolean> {
  const table = await Deno.readTextFile("/proc/net/tcp");
  const local = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return table.split("\n").slice(1).some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1]?.endsWith(local) === true && fields[3] === TCP_LISTEN;
  });
}
