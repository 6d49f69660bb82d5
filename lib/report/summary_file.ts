import { basename, dirname, join } from "node:path";
import { describeFileError } from "../config/file_errors.ts";
import { UsageError } from "../config/usage_error.ts";

/**
 * Checks before a run that `path` can be written: its folder exists and accepts a new
 * file. Throws {@linkcode UsageError} naming `--out` otherwise.
 */
export function checkWritable(path: string, flag = "--out"): void {
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
