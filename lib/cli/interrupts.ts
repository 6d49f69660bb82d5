const SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];

/**
 * Calls `onFirst` on the first Ctrl-C or SIGTERM and `onSecond` on any later one,
 * until disposed (`using`).
 */
export function listenForInterrupts(onFirst: () => void, onSecond: () => void): Disposable {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) onFirst();
    else onSecond();
  };
  for (const signal of SIGNALS) Deno.addSignalListener(signal, handler);
  return {
    [Symbol.dispose]() {
      for (const signal of SIGNALS) Deno.removeSignalListener(signal, handler);
    },
  };
}
