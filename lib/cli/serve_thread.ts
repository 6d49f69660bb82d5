import type { ThreadRole } from "../threads/thread_entry.ts";

/**
 * Gives this worker thread its job. Each role's code is imported only here, so a fleet
 * thread never loads the broker and the broker thread never loads the fleet.
 */
export async function serveThread(role: ThreadRole): Promise<void> {
  switch (role) {
    case "broker": {
      const { serveBrokerThread } = await import("../broker/broker_thread.ts");
      serveBrokerThread();
      return;
    }
    case "fleet": {
      const { serveFleetThread } = await import("../engine/fleet_thread.ts");
      serveFleetThread();
      return;
    }
  }
}
