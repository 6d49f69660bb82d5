/**
 * Just enough DER (ITU-T X.690) to write an X.509 certificate: tag-length-value
 * encoding of the few ASN.1 types a certificate uses.
 *
 * @module
 */

/** One encoded ASN.1 value. */
export type Der = Uint8Array;

/** A value with `tag` holding `content` (definite length, as DER requires). */
export function tlv(tag: number, content: Uint8Array): Der {
  const length = content.length;
  const lengthBytes: number[] = [];
  if (length < 0x80) lengthBytes.push(length);
  else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    lengthBytes.push(0x80 | bytes.length, ...bytes);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  out.set(content, 1 + lengthBytes.length);
  return out;
}

/** The concatenation of `parts`. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** SEQUENCE of `items`. */
export function sequence(...items: readonly Der[]): Der {
  return tlv(0x30, concat(...items));
}

/** SET of `items` (one item here, so no sorting is needed). */
export function set(...items: readonly Der[]): Der {
  return tlv(0x31, concat(...items));
}

/** A non-negative INTEGER from its big-endian bytes (a leading 0 keeps it positive). */
export function integer(bytes: Uint8Array): Der {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1] < 0x80) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0] >= 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed);
}

/** A small non-negative INTEGER. */
export function smallInteger(value: number): Der {
  return integer(new Uint8Array([value]));
}

/** BOOLEAN. */
export function boolean(value: boolean): Der {
  return tlv(0x01, new Uint8Array([value ? 0xff : 0]));
}

/** An OBJECT IDENTIFIER from its dotted form (`2.5.4.3`). */
export function oid(dotted: string): Der {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      chunk.unshift(0x80 | (value & 0x7f));
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, new Uint8Array(bytes));
}

/** UTF8String. */
export function utf8(text: string): Der {
  return tlv(0x0c, new TextEncoder().encode(text));
}

/** OCTET STRING. */
export function octets(bytes: Uint8Array): Der {
  return tlv(0x04, bytes);
}

/** BIT STRING of whole bytes (no unused bits). */
export function bits(bytes: Uint8Array): Der {
  return tlv(0x03, concat(new Uint8Array([0]), bytes));
}

/**
 * BIT STRING of named bits (`KeyUsage`): bit 0 is the first, most significant one;
 * trailing zero bits are left out, as DER requires.
 */
export function namedBits(set: readonly number[]): Der {
  const highest = Math.max(...set);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of set) bytes[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  const unused = 7 - (highest % 8);
  return tlv(0x03, concat(new Uint8Array([unused]), bytes));
}

/** UTCTime (years 1950 to 2049), to the second. */
export function utcTime(date: Date): Der {
  const two = (value: number) => String(value).padStart(2, "0");
  const text = `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${
    two(date.getUTCDate())
  }${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(text));
}

/** `[number]` EXPLICIT around `inner`. */
export function explicit(number: number, inner: Der): Der {
  return tlv(0xa0 | number, inner);
}

/** `[number]` IMPLICIT primitive holding `bytes` (GeneralName choices, key ids). */
export function implicit(number: number, bytes: Uint8Array): Der {
  return tlv(0x80 | number, bytes);
}
