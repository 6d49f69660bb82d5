/**
 * Checks the shipped shape of iotload: the program bundled into one file, copied alone
 * into an empty directory and run from there with exactly the permissions (and V8 flags)
 * `deno task compile` bakes in (`--version`, `validate` of an example, a short run with
 * `--workers 2` against a Mosquitto on loopback, a short run on the embedded broker).
 * Where a `denort` base is available (`DENORT_BIN`, or a cached download), the same
 * checks run on the compiled binary. Exits 1 on the first failed check.
 *
 * Run from the repository root: `deno run -A .ci/check_shipped.ts`.
 *
 * @module
 */
import { startTestBroker } from "../tests/helpers/test_broker.ts";
import { compileFailureReason } from "./compile_failure.ts";
import { SHIPPED_RUNTIME_FLAGS } from "../tests/helpers/task_flags.ts";

const REPO = new URL("..", import.meta.url).pathname;
const EXAMPLE = `${REPO}examples/seed-fleet.yaml`;
const DECODER = new TextDecoder();
const CHECK_TIMEOUT_MS = 60_000;

/** How to start the shipped program: a command and the arguments before iotload's own. */
interface Launcher {
  readonly label: string;
  readonly command: string;
  readonly prefix: readonly string[];
}

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function runIn(dir: string, launcher: Launcher, args: readonly string[]): Promise<Outcome> {
  const child = new Deno.Command(launcher.command, {
    args: [...launcher.prefix, ...args],
    cwd: dir,
    env: { NO_COLOR: "1" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), CHECK_TIMEOUT_MS);
  const output = await child.output();
  clearTimeout(timer);
  return {
    code: output.code,
    stdout: DECODER.decode(output.stdout),
    stderr: DECODER.decode(output.stderr),
  };
}

function fail(message: string, outcome?: Outcome): never {
  console.log(`FAILED: ${message}`);
  if (outcome !== undefined) console.log(`stdout:\n${outcome.stdout}\nstderr:\n${outcome.stderr}`);
  Deno.exit(1);
}

/** A short run's JSON summary, checked to have sent messages that were all received. */
function checkRun(outcome: Outcome, workers: number): string {
  if (outcome.code !== 0) fail(`exit code ${outcome.code}`, outcome);
  const summary = JSON.parse(outcome.stdout);
  const { sent, received, lost } = summary.messages;
  if (!(sent > 0) || received !== sent || lost !== 0) {
    fail(`messages: sent ${sent}, received ${received}, lost ${lost}`, outcome);
  }
  if (summary.generator.workers !== workers) {
    fail(`workers: ${summary.generator.workers}, expected ${workers}`, outcome);
  }
  return `sent ${sent} = received ${received}, lost 0, workers ${workers}`;
}

async function checkLauncher(dir: string, launcher: Launcher, brokerUrl: string): Promise<void> {
  console.log(`\n${launcher.label}`);
  console.log(`  cwd ${dir} (holds only the program)`);
  console.log(`  ${[launcher.command, ...launcher.prefix].join(" ")} ...`);
  const before = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
  const run = ["run", "--sensors", "20", "--interval", "500ms", "--duration", "2s", "--json"];
  const checks: { name: string; args: string[]; judge: (outcome: Outcome) => string }[] = [
    {
      name: "--version",
      args: ["--version"],
      judge: (outcome) => {
        if (outcome.code !== 0 || !outcome.stdout.startsWith("iotload ")) {
          fail("--version", outcome);
        }
        return outcome.stdout.trim().split("\n").join(" | ");
      },
    },
    {
      name: "validate examples/seed-fleet.yaml",
      args: ["validate", EXAMPLE],
      judge: (outcome) => {
        if (outcome.code !== 0) fail("validate", outcome);
        return outcome.stdout.trim();
      },
    },
    {
      name: "run --workers 2 against Mosquitto",
      args: [...run, "--url", brokerUrl, "--workers", "2"],
      judge: (outcome) => checkRun(outcome, 2),
    },
    {
      name: "run on the embedded broker",
      args: run,
      judge: (outcome) => {
        if (!outcome.stderr.includes("started the embedded broker")) {
          fail("no embedded-broker note", outcome);
        }
        return checkRun(outcome, 1);
      },
    },
  ];
  for (const check of checks) {
    const outcome = await runIn(dir, launcher, check.args);
    console.log(`  ok  ${check.name}: ${check.judge(outcome)}`);
  }
  const after = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
  if (after.join() !== before.join()) fail(`the runs wrote into ${dir}: ${after.join(", ")}`);
  console.log("  ok  nothing written next to the program");
}

/** Where `deno compile` keeps the `denort` base it downloaded for this host, if it did. */
function cachedDenortPath(): string {
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  return `${denoDir}/dl/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip`;
}

/** Compiles with the compile task's flags; null, or the reason it was skipped. */
async function compileBinary(outPath: string): Promise<string | null> {
  const cached = await Deno.stat(cachedDenortPath()).then(() => true, () => false);
  if (Deno.env.get("DENORT_BIN") === undefined && !cached) {
    return `skipped the compiled binary: DENORT_BIN is not set and no denort base is cached (${cachedDenortPath()})`;
  }
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["compile", "--frozen", ...SHIPPED_RUNTIME_FLAGS, "--output", outPath, "main.ts"],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    return `skipped the compiled binary: deno compile failed: ${
      compileFailureReason(DECODER.decode(output.stderr))
    }`;
  }
  return null;
}

const work = await Deno.makeTempDir({ prefix: "iotload-shipped-" });
const broker = await startTestBroker();
try {
  console.log(`runtime flags (from deno task compile): ${SHIPPED_RUNTIME_FLAGS.join(" ")}`);
  const bundled = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--frozen", "--quiet", "-o", `${work}/build/iotload.js`, "main.ts"],
    cwd: REPO,
  }).output();
  if (!bundled.success) fail(`deno bundle failed: ${DECODER.decode(bundled.stderr)}`);
  const bundleDir = `${work}/bundle`;
  await Deno.mkdir(bundleDir);
  await Deno.copyFile(`${work}/build/iotload.js`, `${bundleDir}/iotload.js`);
  const size = (await Deno.stat(`${bundleDir}/iotload.js`)).size;
  console.log(
    `bundle: iotload.js, ${(size / 1e6).toFixed(2)} MB; broker ${broker.url} (${broker.kind})`,
  );
  await checkLauncher(bundleDir, {
    label: "bundle (deno bundle), run from an empty directory",
    command: Deno.execPath(),
    prefix: ["run", ...SHIPPED_RUNTIME_FLAGS, "iotload.js"],
  }, broker.url);

  const binaryDir = `${work}/binary`;
  await Deno.mkdir(binaryDir);
  const skipped = await compileBinary(`${binaryDir}/iotload`);
  if (skipped !== null) {
    console.log(`\n${skipped}`);
  } else {
    await checkLauncher(binaryDir, {
      label: "compiled binary (deno compile), run from an empty directory",
      command: `${binaryDir}/iotload`,
      prefix: [],
    }, broker.url);
  }
  console.log("\nshipped shape: ok");
} finally {
  await broker.stop();
  await Deno.remove(work, { recursive: true });
}
