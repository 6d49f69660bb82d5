/**
 * Per-sensor credentials and file paths from templates: `dev-{id}`, `${SECRET}-{id}`
 * (the variable expanded when the file was read), `certs/{id}.pem`. Only `{id}`,
 * `{index}` and `{fleet}` are replaced; every other character is literal, so a secret
 * may hold braces of its own.
 *
 * @module
 */

const PLACEHOLDER = /\{(id|index|fleet)\}/g;

/** Whether `template` holds a sensor placeholder (and so differs from sensor to sensor). */
export function isPerSensor(template: string): boolean {
  return new RegExp(PLACEHOLDER.source).test(template);
}

/** `template` for one sensor: its `{id}`, global `{index}` and `{fleet}` name. */
export function renderCredential(
  template: string,
  id: string,
  index: number,
  fleet: string,
): string {
  return template.replace(
    PLACEHOLDER,
    (_, name: string) => name === "id" ? id : name === "index" ? String(index) : fleet,
  );
}
