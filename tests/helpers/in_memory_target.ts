import type { AedesServer } from "../../lib/broker/aedes_server.ts";
import type { BrokerTarget } from "../../lib/transport/client_factory.ts";

/**
 * A broker target (MQTT 3.1.1, no keepalive) whose connections are in-memory streams
 * to `broker`, an aedes on this thread: unit tests of the engine open no socket.
 */
export function inMemoryTarget(broker: AedesServer): BrokerTarget {
  return {
    url: "mqtt://127.0.0.1:1883",
    protocolVersion: 4,
    keepaliveSec: 0,
    cleanStart: true,
    sessionExpirySec: 0,
    tls: { insecure: false },
    openStream: () => broker.openStream(),
  };
}
