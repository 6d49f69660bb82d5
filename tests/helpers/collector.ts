import mqtt from "mqtt";

/** A test's own subscriber: collects every message on a filter. */
export interface Collector extends AsyncDisposable {
  /** Payloads received, in arrival order, as text. */
  readonly payloads: string[];
  /** Waits until no message arrived for `quietMs` (at most `timeoutMs`). */
  settle(quietMs: number, timeoutMs: number): Promise<void>;
  /** Disconnects. */
  close(): Promise<void>;
}

/** Connects to `url` and subscribes to `filter` at QoS 1 before resolving. */
export async function collectMessages(url: string, filter: string): Promise<Collector> {
  const client = await mqtt.connectAsync(url, {
    reconnectPeriod: 0,
    clientId: `collector-${crypto.randomUUID().slice(0, 8)}`,
  });
  const payloads: string[] = [];
  let lastMessageMs = performance.now();
  client.on("message", (_topic, payload) => {
    payloads.push(payload.toString());
    lastMessageMs = performance.now();
  });
  await client.subscribeAsync(filter, { qos: 1 });
  const close = async () => {
    await client.endAsync();
  };
  return {
    payloads,
    async settle(quietMs: number, timeoutMs: number) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline && performance.now() - lastMessageMs < quietMs) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
