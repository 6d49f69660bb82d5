import assert from "node:assert/strict";
import { MqttClient } from "mqtt";
import { startInProcessBroker } from "../../lib/broker/embedded_broker.ts";

const CLIENTS = 50;

function openDescriptors(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

function connected(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
}

Deno.test("startInProcessBroker() serves clients over in-memory streams without descriptors", async () => {
  const broker = await startInProcessBroker();
  const clients: MqttClient[] = [];
  try {
    const before = openDescriptors();
    for (let n = 0; n < CLIENTS; n++) {
      const client = new MqttClient(() => broker.openStream(), {
        clientId: `in-memory-${n}`,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      clients.push(client);
    }
    await Promise.all(clients.map(connected));
    assert.equal(openDescriptors(), before, "no descriptor per connection");

    const topic = `iotload-test/${crypto.randomUUID()}/in-memory`;
    await clients[0].subscribeAsync(topic, { qos: 1 });
    const received = new Promise<string>((resolve) => {
      clients[0].once("message", (_topic, payload) => resolve(payload.toString()));
    });
    await clients[1].publishAsync(topic, "hello", { qos: 1 });
    assert.equal(await received, "hello");
    assert.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await broker.stop();
  }
});
