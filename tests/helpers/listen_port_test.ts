import assert from "node:assert/strict";
import { freeListenPort } from "./listen_port.ts";

Deno.test("freeListenPort gives a port nothing listens on, below the ephemeral range", () => {
  const low = Number(
    Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").trim().split(/\s+/)[0],
  );
  for (let round = 0; round < 20; round++) {
    const port = freeListenPort();
    if (low > 20_100) assert.ok(port >= 20_000 && port < low, `port ${port}, range from ${low}`);
    // Free: it can be bound now.
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  }
});
