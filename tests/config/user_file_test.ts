import assert from "node:assert/strict";
import { readUserTextFile, UserFileError } from "../../lib/config/user_file.ts";

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "iotload-user-file-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function reasonFor(path: string, maxBytes?: number): Promise<string> {
  try {
    await readUserTextFile(path, maxBytes);
  } catch (error) {
    return error instanceof UserFileError ? error.message : (error as Error).name;
  }
  return "read";
}

Deno.test("readUserTextFile() reads a small text file", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.yaml`, "fleets: []\n");
    assert.equal(await readUserTextFile(`${dir}/a.yaml`), "fleets: []\n");
  });
});

Deno.test("readUserTextFile() refuses a FIFO without opening it (it would block)", async () => {
  await withDir(async (dir) => {
    const made = await new Deno.Command("mkfifo", { args: [`${dir}/pipe`] }).output();
    assert.ok(made.success, "mkfifo");
    assert.equal(await reasonFor(`${dir}/pipe`), "not a regular file (a FIFO, socket or device)");
  });
});

Deno.test("readUserTextFile() refuses a device, a directory, a large file and binary content", async () => {
  await withDir(async (dir) => {
    assert.equal(await reasonFor("/dev/zero"), "not a regular file (a FIFO, socket or device)");
    assert.equal(await reasonFor(dir), "IsADirectory");
    await Deno.writeTextFile(`${dir}/big.yaml`, "x".repeat(2_000));
    assert.equal(await reasonFor(`${dir}/big.yaml`, 1_000), "2,000 bytes; at most 1,000 are read");
    await Deno.writeFile(`${dir}/bin.yaml`, Uint8Array.of(0x66, 0x00, 0x01, 0x02));
    assert.equal(await reasonFor(`${dir}/bin.yaml`), "a binary file, not text");
    await Deno.writeFile(`${dir}/latin1.yaml`, Uint8Array.of(0x66, 0xe9, 0x0a));
    assert.equal(await reasonFor(`${dir}/latin1.yaml`), "not UTF-8 text");
    assert.equal(await reasonFor(`${dir}/missing.yaml`), "NotFound");
  });
});
