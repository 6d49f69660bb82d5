/**
 * The readings offline sensors keep (fleets with an offline buffer): per sensor, oldest
 * first, at most the fleet's buffer size (the oldest goes when it is full). Nothing
 * here sends; the runner flushes a sensor's readings when it is back.
 *
 * @module
 */

/** One kept reading: when it was due, and its members as JSON. */
export interface KeptReading {
  /** Intended send time, clock ms (its latency counts from here when it is sent). */
  readonly intendedMs: number;
  /** The reading's members, JSON without braces. */
  readonly reading: string;
}

/** Where the buffers report what they drop and keep (the run's and the fleet's counters). */
export interface OfflineCounts {
  /** `count` readings of sensor `index` were dropped. */
  dropped(index: number, count: number): void;
  /** A reading of sensor `index` was kept. */
  kept(index: number): void;
}

/** The kept readings of a fleet's offline sensors. */
export class OfflineBuffers {
  readonly #buffers = new Map<number, KeptReading[]>();
  readonly #counts: OfflineCounts;

  /** Creates empty buffers that report to `counts`. */
  constructor(counts: OfflineCounts) {
    this.#counts = counts;
  }

  /**
   * A reading due while sensor `index` is offline: kept when `capacity` > 0 (the oldest
   * kept one is dropped when the buffer is full), dropped otherwise.
   */
  keep(index: number, capacity: number, reading: KeptReading): void {
    if (capacity === 0) {
      this.#counts.dropped(index, 1);
      return;
    }
    const buffer = this.#buffers.get(index) ?? [];
    this.#buffers.set(index, buffer);
    if (buffer.length >= capacity) {
      buffer.shift();
      this.#counts.dropped(index, 1);
    }
    buffer.push(reading);
    this.#counts.kept(index);
  }

  /**
   * Hands sensor `index`'s kept readings to `send`, oldest first, and forgets each one
   * it took; stops at the first it did not take (`false`: the socket is full or the
   * sensor went offline again) and returns whether any are left.
   */
  flush(index: number, send: (reading: KeptReading) => boolean): boolean {
    const buffer = this.#buffers.get(index);
    if (buffer === undefined) return false;
    while (buffer.length > 0) {
      if (!send(buffer[0])) return true;
      buffer.shift();
    }
    this.#buffers.delete(index);
    return false;
  }

  /** Drops sensor `index`'s kept readings (it leaves the fleet), counting them. */
  drop(index: number): void {
    const count = this.#buffers.get(index)?.length ?? 0;
    this.#buffers.delete(index);
    if (count > 0) this.#counts.dropped(index, count);
  }

  /** Drops every kept reading (the run ends: they were never sent), counting them. */
  dropAll(): void {
    for (const index of [...this.#buffers.keys()]) this.drop(index);
  }
}
