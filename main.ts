/**
 * iotload: an MQTT load generator that behaves like a fleet of IoT sensors.
 *
 * This module is the program and also every worker thread it starts (see
 * `lib/threads/thread_entry.ts`), so one bundled or compiled file holds all of it.
 *
 * @module
 */
import { currentThreadRole, holdEarlyMessages } from "./lib/threads/thread_entry.ts";

if (import.meta.main) {
  const role = currentThreadRole();
  if (role !== null) {
    const handOver = holdEarlyMessages();
    const { serveThread } = await import("./lib/cli/serve_thread.ts");
    await serveThread(role);
    handOver();
  } else {
    const { startProgram } = await import("./lib/cli/start_program.ts");
    Deno.exit(await startProgram(Deno.args));
  }
}
