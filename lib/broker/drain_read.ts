import { Buffer } from "node:buffer";
import type { Readable } from "node:stream";

/**
 * Patches `stream.read()` so a call without a size (or with `null`) returns every
 * byte buffered at the time of the call as one Buffer, or `null` when nothing is
 * buffered. Reads with an explicit size are passed through unchanged. Returns the
 * same stream.
 */
export function drainOnRead<T extends Readable>(stream: T): T {
  const readOnce = stream.read.bind(stream);
  // aedes pulls bytes with `conn.read(null)` on 'readable', and again from inside
  // its own parse() whenever a packet's handling completes synchronously (a
  // publish nobody subscribes to). Node returns the whole buffer, so that inner
  // read finds nothing. Deno's node:stream can return just one of several
  // buffered chunks (15,088 of 80,624 bytes in a probe); the inner read then gets
  // the rest and parses it re-entrantly, which desynchronises the parser under
  // bursts ("Invalid header flag bits") and drops the client. Returning
  // everything buffered keeps each parse call whole.
  stream.read = (sizeBytes?: number | null): Buffer | null => {
    if (sizeBytes !== undefined && sizeBytes !== null) {
      return readOnce(sizeBytes);
    }
    // Bounded by what is buffered now, so a source that refills synchronously
    // cannot keep this loop going.
    const bufferedBytes = stream.readableLength;
    const first: Buffer | null = readOnce();
    if (first === null) return null;
    const chunks = [first];
    let collectedBytes = first.length;
    while (collectedBytes < bufferedBytes) {
      const chunk: Buffer | null = readOnce();
      if (chunk === null) break;
      chunks.push(chunk);
      collectedBytes += chunk.length;
    }
    return chunks.length === 1 ? first : Buffer.concat(chunks, collectedBytes);
  };
  return stream;
}
