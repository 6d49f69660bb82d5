import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";
import {
  fleetArgs,
  parseSummary,
  startSilentListener,
  uniqueRoot,
} from "../helpers/fault_fixtures.ts";

Deno.test("iotload run --out replaces an existing file atomically and leaves no temporary file", async () => {
  await using broker = await startMosquitto();
  const dir = await Deno.makeTempDir({ prefix: "iotload-out-" });
  try {
    const outPath = `${dir}/summary.json`;
    await Deno.writeTextFile(outPath, '{"an earlier, half-written summary": ');
    const before = await Deno.stat(outPath);
    const result = await runCli(
      [
        ...fleetArgs(broker.url, uniqueRoot("out"), ["-c", "5", "-i", "200ms", "-d", "1s"]),
        "--out",
        outPath,
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const written = JSON.parse(await Deno.readTextFile(outPath));
    assert.deepEqual(written, parseSummary(result), "--out holds the summary printed on stdout");
    // A rename puts a new file in place; rewriting in place would keep the inode.
    const after = await Deno.stat(outPath);
    assert.notEqual(after.ino, before.ino, "the file was replaced, not rewritten in place");
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
    assert.deepEqual(names, ["summary.json"], "no temporary file remains");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs with `--out outPath` against a listener that counts connections; none may come. */
async function assertRefusedBeforeConnecting(outPath: string): Promise<void> {
  await using listener = startSilentListener();
  const result = await runCli(
    ["run", "--url", `mqtt://127.0.0.1:${listener.port}`, "-c", "5", "--out", outPath],
    { timeoutMs: 30_000 },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(`^error: --out: cannot write ${JSON.stringify(outPath)}`, "m"),
  );
  assert.equal(result.stdout, "");
  assert.equal(listener.accepted, 0, "nothing connected to the broker");
}

Deno.test("iotload run --out into a folder it cannot write exits 2 before connecting", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "iotload-out-" });
  try {
    // A path whose parent is a regular file cannot be created, even by root (which
    // ignores permission bits, so a read-only folder stops only other users).
    await t.step("the parent is a file", async () => {
      const file = `${dir}/not-a-folder`;
      await Deno.writeTextFile(file, "");
      await assertRefusedBeforeConnecting(`${file}/summary.json`);
    });
    await t.step({
      name: "the folder is read-only",
      ignore: Deno.uid() === 0,
      fn: async () => {
        const readOnly = `${dir}/read-only`;
        await Deno.mkdir(readOnly, { mode: 0o555 });
        await assertRefusedBeforeConnecting(`${readOnly}/summary.json`);
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
