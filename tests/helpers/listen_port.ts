/**
 * A free loopback port for a server a test starts, chosen below the kernel's ephemeral
 * range: a port from that range (what port 0 gives) can be taken, between our check and
 * the server's bind, as the local port of one of the thousands of connections a
 * benchmark opens at the same time, and the server then fails with "address in use".
 *
 * @module
 */

/** The lowest port this picks from. */
const LOWEST_PORT = 20_000;
/** Linux's default ephemeral range starts here. */
const DEFAULT_EPHEMERAL_LOW = 32_768;
const TRIES = 100;

function ephemeralLow(): number {
  try {
    const text = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range");
    const low = Number(text.trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : DEFAULT_EPHEMERAL_LOW;
  } catch {
    return DEFAULT_EPHEMERAL_LOW;
  }
}

function isFree(hostname: string, port: number): boolean {
  try {
    Deno.listen({ hostname, port }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}

/**
 * A port on `hostname` that nothing listens on, below the ephemeral range when there
 * is room (a widened range leaves none: then any free port, as port 0 picks).
 */
export function freeListenPort(hostname = "127.0.0.1"): number {
  const high = ephemeralLow() - 1;
  if (high - LOWEST_PORT >= TRIES) {
    for (let tries = 0; tries < TRIES; tries++) {
      const port = LOWEST_PORT + Math.floor(Math.random() * (high - LOWEST_PORT + 1));
      if (isFree(hostname, port)) return port;
    }
  }
  const listener = Deno.listen({ hostname, port: 0 });
  listener.close();
  return listener.addr.port;
}
