/**
 * Reading a file the user named (a scenario, TLS material): only a regular file, at
 * most a given size, and text. A FIFO or a device would block or never end; a huge or
 * binary file would only produce a wall of parse errors. Problems come back as a few
 * words for the caller's `error:` line, never the file's contents.
 *
 * @module
 */

/** Most bytes read from a scenario or TLS file (1 MiB). */
export const MAX_USER_FILE_BYTES = 1024 * 1024;

/** A file that is not what the user meant to give: why, in a few words. */
export class UserFileError extends Error {
  /** Wraps the reason. */
  constructor(reason: string) {
    super(reason);
    this.name = "UserFileError";
  }
}

/**
 * Reads `path` as UTF-8 text. Throws {@linkcode UserFileError} for anything but a
 * regular file of at most `maxBytes` (default {@linkcode MAX_USER_FILE_BYTES}) of
 * text, and Deno's own errors (not found, permission) otherwise.
 */
export async function readUserTextFile(
  path: string,
  maxBytes: number = MAX_USER_FILE_BYTES,
): Promise<string> {
  // stat() follows links and opens nothing, so a FIFO is refused before it can block.
  checkInfo(await Deno.stat(path), maxBytes);
  return decodeText(await Deno.readFile(path), maxBytes);
}

/** {@linkcode readUserTextFile}, synchronously (for files a fleet reads as it is built). */
export function readUserTextFileSync(path: string, maxBytes: number = MAX_USER_FILE_BYTES): string {
  checkInfo(Deno.statSync(path), maxBytes);
  return decodeText(Deno.readFileSync(path), maxBytes);
}

function checkInfo(info: Deno.FileInfo, maxBytes: number): void {
  if (info.isDirectory) throw new Deno.errors.IsADirectory("is a directory");
  if (!info.isFile) throw new UserFileError("not a regular file (a FIFO, socket or device)");
  if (info.size > maxBytes) throw new UserFileError(tooLarge(info.size, maxBytes));
}

function decodeText(bytes: Uint8Array, maxBytes: number): string {
  if (bytes.length > maxBytes) throw new UserFileError(tooLarge(bytes.length, maxBytes));
  if (bytes.includes(0)) throw new UserFileError("a binary file, not text");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UserFileError("not UTF-8 text");
  }
}

function tooLarge(sizeBytes: number, maxBytes: number): string {
  return `${sizeBytes.toLocaleString("en-US")} bytes; at most ${
    maxBytes.toLocaleString("en-US")
  } are read`;
}
