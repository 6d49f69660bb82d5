/**
 * A real headless Chromium (Debian's `chromium`) for one page: its DOM after the
 * scripts ran, and a screenshot. Every network request is cut off: host names resolve
 * to nothing, requests go to a refused proxy on loopback, and the background services
 * (updates, sync, metrics) are off, so nothing leaves the machine.
 *
 * @module
 */

const BINARY_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const DECODER = new TextDecoder();

/** The chromium binary, or undefined when it is not installed. */
export function findChromium(): string | undefined {
  return BINARY_PATHS.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/** What one headless run gave. */
export interface ChromiumResult {
  /** Its standard output (the DOM for `--dump-dom`). */
  readonly stdout: string;
  /** Its log on standard error. */
  readonly stderr: string;
}

/**
 * Opens `fileUrl` in headless Chromium with the network cut off and `extra` flags
 * (`--dump-dom`, `--screenshot=PATH`), giving the page's scripts 5 s of virtual time.
 */
export async function runChromium(
  fileUrl: string,
  extra: readonly string[],
): Promise<ChromiumResult> {
  const binary = findChromium();
  if (binary === undefined) throw new Error("chromium is not installed");
  const profile = await Deno.makeTempDir({ prefix: "iotload-chromium-" });
  try {
    const output = await new Deno.Command(binary, {
      args: [
        "--headless",
        // Running as root in a container leaves no user namespace for the sandbox.
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--disable-domain-reliability",
        "--disable-breakpad",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--virtual-time-budget=5000",
        "--enable-logging=stderr",
        ...extra,
        fileUrl,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    return { stdout: DECODER.decode(output.stdout), stderr: DECODER.decode(output.stderr) };
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}
