import { isIP } from "node:net";
import { UsageError } from "./usage_error.ts";

/** Most source addresses one `--bind` may expand to. */
const MAX_BIND_ADDRESSES = 65_536;

/**
 * Parses `--bind`: a comma-separated list of IPv4/IPv6 addresses and IPv4 ranges
 * (`127.0.0.2-127.0.0.9`), expanded in order. Throws {@linkcode UsageError} naming
 * `setting` for anything else.
 */
export function parseBindAddresses(text: string, setting: string): string[] {
  const addresses: string[] = [];
  for (const rawPart of text.split(",")) {
    const part = rawPart.trim();
    const range = /^([\d.]+)-([\d.]+)$/.exec(part);
    if (range !== null && isIP(range[1]) === 4 && isIP(range[2]) === 4) {
      const first = ipv4ToNumber(range[1]);
      const last = ipv4ToNumber(range[2]);
      if (last < first) {
        throw new UsageError(`${setting}: range ${JSON.stringify(part)} ends before it starts`);
      }
      if (addresses.length + last - first + 1 > MAX_BIND_ADDRESSES) {
        throw new UsageError(`${setting}: more than ${MAX_BIND_ADDRESSES} addresses`);
      }
      for (let n = first; n <= last; n++) addresses.push(numberToIpv4(n));
    } else if (isIP(part) !== 0) {
      addresses.push(part);
    } else {
      throw new UsageError(
        `${setting}: expected IP addresses or ranges like 127.0.0.2-127.0.0.9, got ${
          JSON.stringify(part)
        }`,
      );
    }
  }
  return addresses;
}

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}
