import { UserFileError } from "./user_file.ts";

/**
 * Why a file or permission operation failed, in a few words and without Deno's
 * suggestion to "run again with" broader flags: iotload ships with a fixed set of
 * permissions, so the line names the access that was missing instead.
 */
export function describeFileError(error: unknown): string {
  if (error instanceof UserFileError) return error.message;
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.IsADirectory) return "is a directory";
  if (error instanceof Deno.errors.NotADirectory) return "a part of its path is not a folder";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return describeNotCapable(error);
  return error instanceof Error ? error.message.replace(/ \(os error \d+\).*$/, "") : String(error);
}

/** Deno's "Requires X access to Y, run again with ..." as "not permitted: requires X access to Y". */
export function describeNotCapable(error: Error): string {
  const reason = error.message.replace(/, run again with .*$/, "");
  return `not permitted: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
}
