/**
 * A fleet's credentials file: each sensor's username and password where they follow no
 * pattern. CSV with a header naming `id`, `username` and `password` (fields may be
 * quoted, `""` inside quotes is a quote), or JSON lines
 * (`{"id":"0001","username":"dev-1","password":"..."}`); `id` is the sensor's `{id}`.
 *
 * @module
 */
import { describeFileError } from "./file_errors.ts";
import { UsageError } from "./usage_error.ts";
import { readUserTextFileSync } from "./user_file.ts";

/** One sensor's credentials from the file. */
export interface FileCredentials {
  /** MQTT username. */
  readonly username: string;
  /** MQTT password (a secret). */
  readonly password: string;
}

/** Most bytes read from a credentials file (64 MiB: a million sensors fit). */
const MAX_CREDENTIALS_BYTES = 64 * 1024 * 1024;

/**
 * Reads the credentials file at `path` into a map by sensor id. Throws a
 * {@linkcode UsageError} naming `setting` and the line for a file that cannot be read
 * or parsed; never quotes a password.
 */
export function readCredentialsFile(path: string, setting: string): Map<string, FileCredentials> {
  let text: string;
  try {
    text = readUserTextFileSync(path, MAX_CREDENTIALS_BYTES);
  } catch (error) {
    throw new UsageError(
      `${setting}: cannot read ${JSON.stringify(path)}: ${describeFileError(error)}`,
    );
  }
  const where = (line: number) => `${setting}: ${JSON.stringify(path)} line ${line}`;
  return /\.(jsonl|ndjson)$/i.test(path) ? readJsonLines(text, where) : readCsv(text, where);
}

function readJsonLines(
  text: string,
  where: (line: number) => string,
): Map<string, FileCredentials> {
  const credentials = new Map<string, FileCredentials>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new UsageError(`${where(index + 1)}: not a JSON object`);
    }
    const { id, username, password } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== "string" || typeof username !== "string" || typeof password !== "string") {
      throw new UsageError(`${where(index + 1)}: expected "id", "username" and "password" strings`);
    }
    add(credentials, id, { username, password }, where(index + 1));
  });
  return credentials;
}

function readCsv(text: string, where: (line: number) => string): Map<string, FileCredentials> {
  const rows = parseCsv(text, where);
  const header = rows.shift();
  const columns = header?.fields.map((name) => name.trim().toLowerCase()) ?? [];
  const at = (name: string) => columns.indexOf(name);
  if (at("id") < 0 || at("username") < 0 || at("password") < 0) {
    throw new UsageError(`${where(1)}: expected a header naming id, username and password`);
  }
  const credentials = new Map<string, FileCredentials>();
  for (const { line, fields } of rows) {
    if (fields.length !== columns.length) {
      throw new UsageError(
        `${where(line)}: expected ${columns.length} fields, got ${fields.length}`,
      );
    }
    add(credentials, fields[at("id")], {
      username: fields[at("username")],
      password: fields[at("password")],
    }, where(line));
  }
  return credentials;
}

function add(
  credentials: Map<string, FileCredentials>,
  id: string,
  entry: FileCredentials,
  where: string,
): void {
  if (credentials.has(id)) throw new UsageError(`${where}: id ${JSON.stringify(id)} appears twice`);
  credentials.set(id, entry);
}

/** CSV rows (RFC 4180: quoted fields, `""` escapes, CRLF or LF), blank lines skipped. */
function parseCsv(
  text: string,
  where: (line: number) => string,
): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== "") rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
  };
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') {
        field += '"';
        at++;
      } else if (char === '"') quoted = false;
      else {
        if (char === "\n") line++;
        field += char;
      }
    } else if (char === '"' && field === "") quoted = true;
    else if (char === ",") {
      fields.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[at + 1] === "\n") at++;
      endRow();
      line++;
      rowLine = line;
    } else field += char;
  }
  if (quoted) throw new UsageError(`${where(rowLine)}: a quoted field is never closed`);
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}
