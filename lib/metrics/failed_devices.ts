/**
 * Which devices failed to connect (or had a publish refused by the broker's access
 * rules), by category: how many distinct ones and the first few names (their
 * usernames, or client ids), so a summary can say "37 devices refused: dev-0012,
 * dev-0099, ..." instead of a bare count of attempts.
 *
 * @module
 */

/** How many device names a category keeps to show. */
const NAMED_DEVICES = 5;

/** One category's failed devices, as the summary gives them. */
export interface FailedDeviceCount {
  /** Distinct devices that failed at least once. */
  readonly devices: number;
  /** The first of them, in the order they failed. */
  readonly first: readonly string[];
}

/** Distinct failed devices by category; a worker also hands on what it saw since last asked. */
export class FailedDevices {
  readonly #byCategory = new Map<string, { names: Set<string>; first: string[] }>();
  #sinceTake: Record<string, string[]> = {};

  /** Notes that `device` failed with `category` (again: counted once). */
  record(category: string, device: string): void {
    if (this.#add(category, device)) (this.#sinceTake[category] ??= []).push(device);
  }

  /** The devices first noted since the last call (a worker's part of its delta). */
  takeNew(): Record<string, string[]> {
    const taken = this.#sinceTake;
    this.#sinceTake = {};
    return taken;
  }

  /** Adds devices another thread noted (its {@linkcode takeNew}). */
  merge(added: Readonly<Record<string, readonly string[]>>): void {
    for (const [category, devices] of Object.entries(added)) {
      for (const device of devices) this.#add(category, device);
    }
  }

  /** Each category's count of distinct devices and the first names. */
  counts(): Record<string, FailedDeviceCount> {
    return Object.fromEntries(
      [...this.#byCategory].map((
        [category, entry],
      ) => [category, { devices: entry.names.size, first: [...entry.first] }]),
    );
  }

  #add(category: string, device: string): boolean {
    let entry = this.#byCategory.get(category);
    if (entry === undefined) {
      entry = { names: new Set(), first: [] };
      this.#byCategory.set(category, entry);
    }
    if (entry.names.has(device)) return false;
    entry.names.add(device);
    if (entry.first.length < NAMED_DEVICES) entry.first.push(device);
    return true;
  }
}

/** A summary line for one category: `badCredentials: 37 devices refused: a, b, ...`. */
export function describeFailedDevices(category: string, count: FailedDeviceCount): string {
  const more = count.devices > count.first.length ? ", ..." : "";
  const devices = count.devices === 1
    ? "1 device"
    : `${count.devices.toLocaleString("en-US")} devices`;
  const verb = category === "badCredentials" || category === "notAuthorized"
    ? "refused"
    : "failed to connect";
  return `${category}: ${devices} ${verb}: ${count.first.join(", ")}${more}`;
}
