import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import mqtt from "mqtt";
import { drainOnRead } from "../../lib/broker/drain_read.ts";
import { startEmbeddedBroker } from "../../lib/broker/embedded_broker.ts";

const BURST_MESSAGES = 100_000;
const BURST_PAYLOAD_BYTES = 100;
const BURST_TIMEOUT_MS = 60_000;

function uniqueTopicRoot(): string {
  return `iotload-test/${crypto.randomUUID()}`;
}

/**
 * Resolves after `count` messages on `client`; rejects after `timeoutMs` or when
 * `signal` aborts.
 */
function collectMessages(
  client: mqtt.MqttClient,
  count: number,
  timeoutMs: number,
  signal: AbortSignal,
  onMessage: (payload: Buffer, index: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      client.off("message", listener);
      signal.removeEventListener("abort", onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const timer = setTimeout(() => {
      finish(
        new Error(
          `received ${received} of ${count} messages in ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    const onAbort = () => finish(signal.reason);
    const listener = (_topic: string, payload: Buffer) => {
      onMessage(payload, received);
      received += 1;
      if (received === count) finish();
    };
    client.on("message", listener);
    signal.addEventListener("abort", onAbort);
  });
}

/**
 * Publishes `count` QoS 0 messages of BURST_PAYLOAD_BYTES as fast as the socket
 * takes them, each to `topic` (sequence number in the first 4 bytes) and again to
 * `unroutedTopic`. Rejects if the broker drops the connection.
 */
async function publishBurst(
  client: mqtt.MqttClient,
  topic: string,
  unroutedTopic: string,
  count: number,
): Promise<void> {
  let streamError: Error | undefined;
  const onError = (error: Error) => streamError ??= error;
  client.on("error", onError);
  try {
    for (let sequence = 0; sequence < count; sequence++) {
      if (!client.connected) {
        throw new Error(
          `publisher disconnected after ${sequence} of ${count} messages` +
            (streamError === undefined ? "" : `: ${streamError.message}`),
        );
      }
      // A fresh buffer per message: the socket keeps a reference until flushed.
      const payload = Buffer.alloc(BURST_PAYLOAD_BYTES, 0x61);
      payload.writeUInt32BE(sequence, 0);
      // No per-message callback: MQTT.js would add a drain listener for each one.
      client.publish(topic, payload, { qos: 0 });
      // A publish nobody subscribes to completes synchronously inside aedes,
      // which makes it pull the next bytes while still parsing; that is the
      // path where a partial read(null) desynchronised the parser.
      client.publish(unroutedTopic, payload, { qos: 0 });
      if (client.stream.writableNeedDrain) await drainedOrClosed(client.stream);
    }
  } finally {
    client.off("error", onError);
  }
}

/** Resolves on the stream's next 'drain' or 'close', whichever comes first. */
function drainedOrClosed(stream: EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

function nextMessage(
  client: mqtt.MqttClient,
): Promise<{ topic: string; payload: Buffer }> {
  return new Promise((resolve) => {
    client.once("message", (topic, payload) => resolve({ topic, payload }));
  });
}

Deno.test("startEmbeddedBroker() routes a publish to a subscriber", async () => {
  const broker = await startEmbeddedBroker();
  try {
    assert.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(broker.port > 0);
    assert.equal(broker.url, `mqtt://127.0.0.1:${broker.port}`);
    const topic = `${uniqueTopicRoot()}/hello`;
    const subscriber = await mqtt.connectAsync(broker.url, {
      reconnectPeriod: 0,
    });
    const publisher = await mqtt.connectAsync(broker.url, {
      reconnectPeriod: 0,
    });
    try {
      await subscriber.subscribeAsync(topic, { qos: 1 });
      const received = nextMessage(subscriber);
      await publisher.publishAsync(topic, "21.5", { qos: 1 });
      const { topic: receivedTopic, payload } = await received;
      assert.equal(receivedTopic, topic);
      assert.equal(String(payload), "21.5");
    } finally {
      await publisher.endAsync();
      await subscriber.endAsync();
    }
  } finally {
    await broker.stop();
  }
});

Deno.test(
  "startEmbeddedBroker() delivers a 100k-message QoS 0 burst amid unrouted publishes intact and in order",
  async () => {
    const broker = await startEmbeddedBroker();
    try {
      const topicRoot = uniqueTopicRoot();
      const topic = `${topicRoot}/burst`;
      const unroutedTopic = `${topicRoot}/unrouted`;
      const subscriber = await mqtt.connectAsync(broker.url, {
        reconnectPeriod: 0,
      });
      const publisher = await mqtt.connectAsync(broker.url, {
        reconnectPeriod: 0,
      });
      try {
        await subscriber.subscribeAsync(topic, { qos: 0 });
        let mismatches = 0;
        const publishing = new AbortController();
        const allReceived = collectMessages(
          subscriber,
          BURST_MESSAGES,
          BURST_TIMEOUT_MS,
          publishing.signal,
          (payload, index) => {
            if (
              payload.length !== BURST_PAYLOAD_BYTES ||
              payload.readUInt32BE(0) !== index
            ) mismatches += 1;
          },
        );
        const published = publishBurst(
          publisher,
          topic,
          unroutedTopic,
          BURST_MESSAGES,
        ).catch((error) => {
          publishing.abort(error);
          throw error;
        });
        await Promise.all([published, allReceived]);
        assert.equal(mismatches, 0);
      } finally {
        await publisher.endAsync();
        await subscriber.endAsync();
      }
    } finally {
      await broker.stop();
    }
  },
);

Deno.test(
  "startEmbeddedBroker() stop() closes client sockets and frees the port",
  async () => {
    const broker = await startEmbeddedBroker();
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    try {
      const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
      await broker.stop();
      await closed;
      await assert.rejects(
        Deno.connect({ hostname: "127.0.0.1", port: broker.port }),
        Deno.errors.ConnectionRefused,
      );
      await broker.stop();
    } finally {
      await client.endAsync(true);
    }
  },
);

Deno.test(
  "startEmbeddedBroker() rejects with the address when the port is in use",
  async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr;
    await assert.rejects(
      startEmbeddedBroker({ port }),
      (error: Error) => {
        assert.match(
          error.message,
          new RegExp(
            `^cannot start the embedded broker on 127\\.0\\.0\\.1:${port}: .*(in use|EADDRINUSE)`,
          ),
        );
        return true;
      },
    );
  },
);

Deno.test("drainOnRead() makes read() return every buffered chunk", () => {
  const stream = new Readable({ read() {} });
  stream.push(Buffer.from("abc"));
  stream.push(Buffer.from("def"));
  // Deno's node:stream answers a plain read() here with "abc" alone; Node
  // returns both chunks, which is what aedes relies on.
  assert.equal(String(drainOnRead(stream).read()), "abcdef");
  assert.equal(stream.read(), null);
  stream.push(null);
  stream.destroy();
});
