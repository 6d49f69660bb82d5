import { basename, dirname, join } from "node:path";
import { describeFileError } from "../config/file_errors.ts";
import { UsageError } from "../config/usage_error.ts";

/**
 * Checks before a run that `path` can be written: it is not a directory or a special
 * file (the atomic write would replace it), and its folder exists and accepts a new
 * file (a probe file there, removed at once). Throws {@linkcode UsageError} naming
 * `--out` otherwise.
 */
export function checkWritable(path: string, flag = "--out"): void {
  const existing = statOrNull(path);
  if (existing !== null && !existing.isFile) {
    const what = existing.isDirectory ? "is a directory" : "is not a regular file";
    throw new UsageError(`${flag}: cannot write ${JSON.stringify(path)}: it ${what}`);
  }
  const probePath = temporaryPathFor(path);
  try {
    Deno.writeTextFileSync(probePath, "");
    Deno.removeSync(probePath);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "its folder does not exist"
      : describeFileError(error);
    throw new UsageError(`${flag}: cannot write ${JSON.stringify(path)}: ${reason}`);
  }
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    // Missing (or unreadable): the write probe below says which.
    return null;
  }
}

/**
 * Writes `text` to `path` atomically: a temporary file in the same folder, then a
 * rename, so an existing file is never left half-written.
 */
export function writeFileAtomic(path: string, text: string): void {
  const temporaryPath = temporaryPathFor(path);
  try {
    Deno.writeTextFileSync(temporaryPath, text);
    Deno.renameSync(temporaryPath, path);
  } catch (error) {
    try {
      Deno.removeSync(temporaryPath);
    } catch {
      // Nothing was written, or it is already gone: the original error is what matters.
    }
    throw error;
  }
}

function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${Deno.pid}.tmp`);
}

/** A file opened for writing whose every append reaches the disk at once; close with `using`. */
export interface AppendSink extends Disposable {
  /** Writes `text` at the end of the file, synchronously. */
  readonly append: (text: string) => void;
}

/** Creates (or empties) `path` and returns an {@linkcode AppendSink} on it. */
export function openAppendSink(path: string): AppendSink {
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  return {
    append: (text) => {
      const bytes = encoder.encode(text);
      let offset = 0;
      while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
    },
    [Symbol.dispose]: () => file.close(),
  };
}
