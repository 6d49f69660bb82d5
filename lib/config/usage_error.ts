/**
 * A problem with what the user asked for (a flag, a scenario field, a file).
 *
 * The CLI prints it as one `error:` line (plus an optional `hint:` line) and exits
 * with code 2, never with a stack trace.
 */
export class UsageError extends Error {
  /** One action the user can take to fix the problem, printed as `hint: ...`. */
  readonly hint?: string;

  /** Creates a usage error with its one-line message and an optional hint. */
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "UsageError";
    this.hint = hint;
  }
}
