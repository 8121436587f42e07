import { execFile, execFileSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer";

const run = promisify(execFile);
const root = path.resolve(__dirname, "../..");

/** The machine's python3 (standard library only is needed); the tests are skipped without one. */
const python = (() => {
  try {
    execFileSync("python3", ["--version"]);
    return "python3";
  } catch {
    console.warn("python3 not found: the Python client's tests are skipped");
    return null;
  }
})();

let server: TestServer;
beforeAll(async () => {
  if (python) server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

it.skipIf(!python)("the Python client's own tests pass against a real server", async () => {
  const result = await run(python!, ["-m", "unittest", "-v", "examples/python/test_graphtune.py"], {
    cwd: root,
    env: { ...process.env, GRAPHTUNE_URL: server.url, PYTHONDONTWRITEBYTECODE: "1" },
  }).catch((e: { stdout: string; stderr: string }) => e);
  // unittest writes its report to stderr.
  expect(result.stderr).toMatch(/Ran 7 tests/);
  expect(result.stderr).toMatch(/\nOK\s*$/);
}, 120_000);

it.skipIf(!python)("the PyTorch-style example tunes its MLP end to end", async () => {
  const { stdout } = await run(python!, ["examples/python/train_mlp.py", "--url", server.url, "--trials", "8", "--epochs", "6", "--jobs", "2"], {
    cwd: root,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  expect(stdout.match(/^trial \d+ (COMPLETE|PRUNED|FAIL)/gm)).toHaveLength(8);
  const best = /best trial #\d+: validation loss ([\d.]+) with \{/.exec(stdout);
  expect(best).not.toBeNull();
  // It learns: better than guessing (ln 2 = 0.69) on the validation set.
  expect(Number(best![1])).toBeLessThan(0.6);
  const { study } = await server.ok(`query { study(name: "python-mlp-moons") {
    trials(first: 20) { edges { node { state params intermediateValues { step } metrics(names: ["val_accuracy"]) { points { step } } } } } } }`);
  const trials = study.trials.edges.map((e: any) => e.node);
  expect(trials).toHaveLength(8);
  for (const t of trials) {
    expect(Object.keys(t.params).sort()).toEqual(["activation", "batch_size", "hidden", "lr", "momentum", "weight_decay"]);
    if (t.state === "COMPLETE") expect(t.intermediateValues.map((p: any) => p.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(t.metrics[0].points.length).toBe(t.intermediateValues.length);
  }
  expect(trials.some((t: any) => t.state === "COMPLETE")).toBe(true);
}, 120_000);
