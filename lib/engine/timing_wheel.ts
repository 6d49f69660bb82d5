import type { Clock } from "./clock.ts";

/** Options for {@linkcode TimingWheel}. */
export interface TimingWheelOptions {
  /** Time source and timers; `SYSTEM_CLOCK` in production, a `ManualClock` in tests. */
  clock: Clock;
  /** Slot width in ms (default 10): due times are rounded up to a slot boundary, so lateness is under one slot plus timer delay. */
  slotMs?: number;
  /** Number of entries; indices run 0..capacity-1 (required). */
  capacity: number;
  /** Called once per due period with the entry index and its intended send time (clock ms); must not throw. */
  onDue: (index: number, intendedMs: number) => void;
  /** Ring size in slots (default 4096, i.e. 40.96 s at 10 ms slots); entries due further ahead wait in an overflow list. */
  ringSlots?: number;
  /** Most `onDue` calls per timer wake (default 1000) before yielding to the event loop with a 0 ms timer. */
  maxFiresPerWake?: number;
}

const NONE = -1;
const NO_TIMER = -1;

const ABSENT = 0;
const IN_RING = 1;
const IN_OVERFLOW = 2;

/**
 * Drives many periodic entries (sensor indices) from one timer.
 *
 * Structure: per-entry state lives in parallel typed arrays (about 29 bytes per entry,
 * no object per entry). Each entry sits in one intrusive doubly linked list: either a
 * ring bucket, or the overflow list when it is due further ahead than the ring
 * reaches. Bucket `s % ringSlots` holds only entries of slot `s`, so a whole bucket is
 * due at once, and each bucket is kept sorted by due time (insertion walks back from
 * the tail, which for a steady fleet is the append position), so fires come out in
 * intended-time order. The overflow list is unsorted and rescanned every half ring lap,
 * which moves each long-period entry into the ring before its slot comes up.
 *
 * Timing: due times are offsets in ms from an origin taken at construction and advance
 * by `due += period`, never from the fire time, so there is no drift. Slot `s` holds
 * dues in `((s - 1) * slotMs, s * slotMs]` and fires once `s * slotMs` has passed, so
 * nothing fires before its intended time. One timer sleeps to the next occupied slot
 * boundary; a wake catches up every overdue slot in order, firing an entry once per
 * missed period, at most `maxFiresPerWake` times before yielding.
 */
export class TimingWheel {
  readonly #clock: Clock;
  readonly #slotMs: number;
  readonly #capacity: number;
  readonly #onDue: (index: number, intendedMs: number) => void;
  readonly #ringSlots: number;
  readonly #maxFiresPerWake: number;
  readonly #originMs: number;

  readonly #dueOffsetMs: Float64Array;
  readonly #periodMs: Float64Array;
  readonly #next: Int32Array;
  readonly #prev: Int32Array;
  readonly #bucketOf: Int32Array;
  readonly #state: Uint8Array;
  readonly #heads: Int32Array;
  readonly #tails: Int32Array;

  #size = 0;
  #ringCount = 0;
  #overflowHead = NONE;
  // A lower bound (stale after removals) on the slot of any overflow entry.
  #overflowMinSlot = Infinity;
  #nextMigrationSlot = 0;
  // Every slot before this one has been fired.
  #cursorSlot = 0;
  #running = false;
  #firing = false;
  #timerHandle = NO_TIMER;
  #timerSlot = Infinity;

  /** Creates a stopped, empty wheel whose time origin is `clock.nowMs()` now. */
  constructor(options: TimingWheelOptions) {
    const {
      clock,
      slotMs = 10,
      capacity,
      onDue,
      ringSlots = 4096,
      maxFiresPerWake = 1000,
    } = options;
    if (!(slotMs > 0 && Number.isFinite(slotMs))) {
      throw new RangeError(
        `TimingWheel: slotMs must be a positive number of ms, got ${slotMs}`,
      );
    }
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(
        `TimingWheel: capacity must be an integer >= 0, got ${capacity}`,
      );
    }
    if (!Number.isInteger(ringSlots) || ringSlots < 2) {
      throw new RangeError(
        `TimingWheel: ringSlots must be an integer >= 2, got ${ringSlots}`,
      );
    }
    if (!Number.isInteger(maxFiresPerWake) || maxFiresPerWake < 1) {
      throw new RangeError(
        `TimingWheel: maxFiresPerWake must be an integer >= 1, got ${maxFiresPerWake}`,
      );
    }
    this.#clock = clock;
    this.#slotMs = slotMs;
    this.#capacity = capacity;
    this.#onDue = onDue;
    this.#ringSlots = ringSlots;
    this.#maxFiresPerWake = maxFiresPerWake;
    this.#originMs = clock.nowMs();
    this.#dueOffsetMs = new Float64Array(capacity);
    this.#periodMs = new Float64Array(capacity);
    this.#next = new Int32Array(capacity);
    this.#prev = new Int32Array(capacity);
    this.#bucketOf = new Int32Array(capacity);
    this.#state = new Uint8Array(capacity);
    this.#heads = new Int32Array(ringSlots).fill(NONE);
    this.#tails = new Int32Array(ringSlots).fill(NONE);
  }

  /** Number of scheduled entries. */
  get size(): number {
    return this.#size;
  }

  /** Whether `index` is scheduled. */
  has(index: number): boolean {
    return this.#state[index] > ABSENT;
  }

  /**
   * Schedules `index` to fire at `firstDueMs` (clock ms; a time whose slot has already
   * fired goes to the next slot boundary) and then every `periodMs` ms; an entry
   * already scheduled is replaced.
   */
  add(index: number, firstDueMs: number, periodMs: number): void {
    this.#checkIndex(index, "add");
    if (!Number.isFinite(firstDueMs)) {
      throw new RangeError(
        `TimingWheel.add(): firstDueMs must be finite, got ${firstDueMs}`,
      );
    }
    this.#checkPeriod(periodMs, "add");
    if (this.#state[index] === ABSENT) this.#size++;
    else this.#unlink(index);
    this.#dueOffsetMs[index] = firstDueMs - this.#originMs;
    this.#periodMs[index] = periodMs;
    const slot = this.#link(index);
    if (this.#running && !this.#firing && slot < this.#timerSlot) this.#arm();
  }

  /** Unschedules `index` at once (O(1)); unknown indices are ignored. */
  remove(index: number): void {
    this.#checkIndex(index, "remove");
    if (this.#state[index] === ABSENT) return;
    this.#unlink(index);
    this.#size--;
  }

  /** Changes the period of a scheduled `index` to `periodMs` ms; the already scheduled next fire keeps its time. */
  setPeriod(index: number, periodMs: number): void {
    this.#checkIndex(index, "setPeriod");
    this.#checkPeriod(periodMs, "setPeriod");
    if (this.#state[index] === ABSENT) {
      throw new RangeError(
        `TimingWheel.setPeriod(): index ${index} is not scheduled`,
      );
    }
    this.#periodMs[index] = periodMs;
  }

  /** Starts firing (idempotent); periods missed while stopped are fired on the first wake. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (!this.#firing) this.#arm();
  }

  /** Stops firing and clears the pending timer (idempotent); entries stay scheduled. */
  stop(): void {
    this.#running = false;
    this.#disarm();
  }

  #checkIndex(index: number, method: string): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#capacity) {
      throw new RangeError(
        `TimingWheel.${method}(): index must be an integer in 0..${
          this.#capacity - 1
        }, got ${index}`,
      );
    }
  }

  #checkPeriod(periodMs: number, method: string): void {
    if (!(periodMs > 0 && Number.isFinite(periodMs))) {
      throw new RangeError(
        `TimingWheel.${method}(): periodMs must be a positive number of ms, got ${periodMs}`,
      );
    }
  }

  /** Puts an unlinked entry into the list for its due slot and returns that slot. */
  #link(index: number): number {
    const dueOffsetMs = this.#dueOffsetMs;
    const next = this.#next;
    const prev = this.#prev;
    const dueMs = dueOffsetMs[index];
    // Already-fired slots are never revisited, so a past due goes to the next one.
    const slot = Math.max(Math.ceil(dueMs / this.#slotMs), this.#cursorSlot);
    if (slot - this.#cursorSlot >= this.#ringSlots) {
      prev[index] = NONE;
      next[index] = this.#overflowHead;
      if (this.#overflowHead !== NONE) prev[this.#overflowHead] = index;
      this.#overflowHead = index;
      if (slot < this.#overflowMinSlot) this.#overflowMinSlot = slot;
      this.#state[index] = IN_OVERFLOW;
      return slot;
    }
    const bucket = slot % this.#ringSlots;
    // Ties stay in insertion order, so equal dues fire first-added first.
    let before = this.#tails[bucket];
    while (before !== NONE && dueOffsetMs[before] > dueMs) {
      before = prev[before];
    }
    const after = before === NONE ? this.#heads[bucket] : next[before];
    prev[index] = before;
    next[index] = after;
    if (before === NONE) this.#heads[bucket] = index;
    else next[before] = index;
    if (after === NONE) this.#tails[bucket] = index;
    else prev[after] = index;
    this.#bucketOf[index] = bucket;
    this.#state[index] = IN_RING;
    this.#ringCount++;
    return slot;
  }

  #unlink(index: number): void {
    const before = this.#prev[index];
    const after = this.#next[index];
    if (this.#state[index] === IN_RING) {
      const bucket = this.#bucketOf[index];
      if (before === NONE) this.#heads[bucket] = after;
      else this.#next[before] = after;
      if (after === NONE) this.#tails[bucket] = before;
      else this.#prev[after] = before;
      this.#ringCount--;
    } else {
      if (before === NONE) this.#overflowHead = after;
      else this.#next[before] = after;
      if (after !== NONE) this.#prev[after] = before;
    }
    this.#state[index] = ABSENT;
  }

  /** Moves overflow entries that the ring now reaches into it; runs every half lap. */
  #migrateOverflow(): void {
    this.#nextMigrationSlot = this.#cursorSlot +
      Math.floor(this.#ringSlots / 2);
    let minSlot = Infinity;
    let index = this.#overflowHead;
    while (index !== NONE) {
      const following = this.#next[index];
      const slot = Math.ceil(this.#dueOffsetMs[index] / this.#slotMs);
      if (slot - this.#cursorSlot < this.#ringSlots) {
        this.#unlink(index);
        this.#link(index);
      } else if (slot < minSlot) {
        minSlot = slot;
      }
      index = following;
    }
    this.#overflowMinSlot = minSlot;
  }

  #nextOccupiedSlot(): number {
    const overflowMinSlot = this.#overflowMinSlot;
    if (this.#ringCount === 0) return overflowMinSlot;
    const endSlot = Math.min(
      this.#cursorSlot + this.#ringSlots,
      overflowMinSlot,
    );
    for (let slot = this.#cursorSlot; slot < endSlot; slot++) {
      if (this.#heads[slot % this.#ringSlots] !== NONE) return slot;
    }
    return overflowMinSlot;
  }

  #disarm(): void {
    if (this.#timerHandle !== NO_TIMER) {
      this.#clock.clearTimer(this.#timerHandle);
    }
    this.#timerHandle = NO_TIMER;
    this.#timerSlot = Infinity;
  }

  /** Replaces the pending timer with one for the next occupied slot boundary (none when empty). */
  #arm(): void {
    this.#disarm();
    const slot = this.#nextOccupiedSlot();
    if (slot === Infinity) return;
    const delayMs = this.#originMs + slot * this.#slotMs - this.#clock.nowMs();
    this.#timerSlot = slot;
    // Rounded up because a wake even slightly early finds nothing due and costs a re-arm.
    this.#timerHandle = this.#clock.setTimer(
      this.#wake,
      delayMs > 0 ? Math.ceil(delayMs) : 0,
    );
  }

  readonly #wake = (): void => {
    this.#timerHandle = NO_TIMER;
    this.#timerSlot = Infinity;
    this.#firing = true;
    try {
      this.#fireDueSlots();
    } finally {
      this.#firing = false;
      if (this.#running) this.#arm();
    }
  };

  #fireDueSlots(): void {
    const dueOffsetMs = this.#dueOffsetMs;
    const periodMs = this.#periodMs;
    const heads = this.#heads;
    const lastDueSlot = Math.floor(
      (this.#clock.nowMs() - this.#originMs) / this.#slotMs,
    );
    let firesLeft = this.#maxFiresPerWake;
    while (this.#cursorSlot <= lastDueSlot) {
      if (this.#cursorSlot >= this.#nextMigrationSlot) this.#migrateOverflow();
      if (this.#ringCount === 0) {
        // Skip the empty slots in one step. Overflow entries sit at least a ring
        // ahead of the cursor when they enter and migrations run every half ring,
        // so the overflow minimum lies past the next migration point: landing on it
        // migrates at the top of the loop.
        this.#cursorSlot = Math.min(this.#overflowMinSlot, lastDueSlot + 1);
        continue;
      }
      const bucket = this.#cursorSlot % this.#ringSlots;
      // Popping the head each time keeps intended-time order even when a short
      // period puts an entry back into this same bucket.
      for (let index = heads[bucket]; index !== NONE; index = heads[bucket]) {
        if (firesLeft === 0 || !this.#running) return;
        firesLeft--;
        const intendedMs = this.#originMs + dueOffsetMs[index];
        this.#unlink(index);
        dueOffsetMs[index] += periodMs[index];
        // Rescheduled before the callback so it can remove, replace or re-period it.
        this.#link(index);
        this.#onDue(index, intendedMs);
      }
      this.#cursorSlot++;
    }
  }
}

/**
 * First due time (clock ms) for entry `index` of `count`, spread evenly over one
 * `periodMs` from `startMs` so the fleet does not publish in lock-step:
 * `startMs + periodMs * index / count`.
 */
export function spreadFirstDueMs(
  index: number,
  count: number,
  periodMs: number,
  startMs: number,
): number {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(
      `spreadFirstDueMs(): count must be an integer >= 1, got ${count}`,
    );
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(
      `spreadFirstDueMs(): index must be an integer in 0..${count - 1}, got ${index}`,
    );
  }
  return startMs + (periodMs * index) / count;
}
