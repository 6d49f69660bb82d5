/**
 * iotload: an MQTT load generator that behaves like a fleet of IoT sensors.
 *
 * @module
 */
import denoJson from "./deno.json" with { type: "json" };
import { main } from "./lib/cli/main.ts";
import { systemTerminalIo } from "./lib/cli/terminal_io.ts";

if (import.meta.main) {
  const code = await main(Deno.args, systemTerminalIo(denoJson.version));
  Deno.exit(code);
}
