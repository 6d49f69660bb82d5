import assert from "node:assert/strict";
import { join } from "node:path";
import { isPerSensor, renderCredential } from "../../lib/config/credential_template.ts";
import { readCredentialsFile } from "../../lib/config/credentials_file.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

async function withFile(name: string, text: string, check: (path: string) => void) {
  const dir = await Deno.makeTempDir({ prefix: "iotload-credentials-" });
  try {
    await Deno.writeTextFile(join(dir, name), text);
    check(join(dir, name));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readCredentialsFile() reads CSV with quoted fields, any column order, CRLF", async () => {
  await withFile(
    "devices.csv",
    'username,id,password\r\ndev-1,01,"p,w ""1"""\r\n\r\n"dev-2",02,plain\r\n',
    (path) => {
      const credentials = readCredentialsFile(path, "credentials");
      assert.deepEqual(credentials.get("01"), { username: "dev-1", password: 'p,w "1"' });
      assert.deepEqual(credentials.get("02"), { username: "dev-2", password: "plain" });
      assert.equal(credentials.size, 2);
    },
  );
});

Deno.test("readCredentialsFile() reads JSON lines", async () => {
  await withFile(
    "devices.jsonl",
    '{"id":"01","username":"dev-1","password":"a"}\n\n{"id":"02","username":"dev-2","password":"b"}\n',
    (path) =>
      assert.deepEqual(readCredentialsFile(path, "credentials").get("02"), {
        username: "dev-2",
        password: "b",
      }),
  );
});

Deno.test("readCredentialsFile() names the line of a bad row, never a password", async () => {
  const cases: [string, string, RegExp][] = [
    [
      "a.csv",
      "id,user,password\n01,x,secret-1\n",
      /line 1: expected a header naming id, username and password/,
    ],
    ["b.csv", "id,username,password\n01,x,secret-1\n02,y\n", /line 3: expected 3 fields, got 2/],
    [
      "c.csv",
      "id,username,password\n01,x,secret-1\n01,y,secret-2\n",
      /line 3: id "01" appears twice/,
    ],
    ["d.csv", 'id,username,password\n01,x,"secret-1\n', /line 2: a quoted field is never closed/],
    [
      "e.jsonl",
      '{"id":"01","username":"x","password":7}\n',
      /line 1: expected "id", "username" and "password" strings/,
    ],
    ["f.jsonl", "not json\n", /line 1: not a JSON object/],
  ];
  for (const [name, text, problem] of cases) {
    await withFile(name, text, (path) => {
      assert.throws(
        () => readCredentialsFile(path, "fleets[0].credentials"),
        (error: unknown) =>
          error instanceof UsageError && problem.test(error.message) &&
          error.message.startsWith("fleets[0].credentials: ") && !/secret/.test(error.message),
        name,
      );
    });
  }
  assert.throws(
    () => readCredentialsFile("/nonexistent/devices.csv", "credentials"),
    /no such file/,
  );
});

Deno.test("renderCredential() replaces only {id}, {index} and {fleet}; other braces stay", () => {
  assert.equal(renderCredential("dev-{id}", "0042", 42, "meters"), "dev-0042");
  assert.equal(renderCredential("s3{cr}et-{index}-{fleet}", "7", 7, "m"), "s3{cr}et-7-m");
  assert.equal(isPerSensor("certs/{id}.pem"), true);
  assert.equal(isPerSensor("certs/all.pem"), false);
  assert.equal(isPerSensor("{ide}"), false);
});
