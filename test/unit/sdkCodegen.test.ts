import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(__dirname, "../..");

/** Runs the codegen's --check; resolves with its exit code and output. */
async function check(...extra: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["client-sdk/codegen.mjs", "--check", ...extra], { cwd: root });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

it("the committed SDK types and documents are what server/schema.graphql generates now", async () => {
  const { code, output } = await check();
  expect(output).toContain("up to date");
  expect(code).toBe(0);
}, 30_000);

it("the check fails, naming the fix, when the schema changes under the generated code", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sdk-codegen-"));
  try {
    // A field the SDK selects changes type: the generated result types no longer match.
    const schema = (await readFile(path.join(root, "server/schema.graphql"), "utf8")).replace("shouldPrune: Boolean!", "shouldPrune: Boolean");
    const changed = path.join(dir, "schema.graphql");
    await writeFile(changed, schema);
    const { code, output } = await check("--schema", changed);
    expect(code).toBe(1);
    expect(output).toContain("npm run sdk:codegen");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 30_000);
