import { afterAll, beforeAll, expect, it } from "vitest";
import { quickstart } from "../../examples/quickstart";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

it("the quickstart runs end to end: 30 trials, some pruned, the best one printed", async () => {
  const lines: string[] = [];
  const best = await quickstart(server.url, { print: (line) => lines.push(line) });
  const { study } = await server.ok(`query { study(name: "quickstart-sdk") { trialCount(states: [COMPLETE]) pruned: trialCount(states: [PRUNED]) } }`);
  expect(study.trialCount + study.pruned).toBe(30);
  expect(study.pruned).toBeGreaterThan(0);
  expect(lines.filter((l) => /^trial \d+: /.test(l))).toHaveLength(30);
  expect(lines.at(-1)).toMatch(/^best of 30 trials: #\d+, loss [\d.]+/);
  // The loss floor is 0.2 (2 / 10 epochs); TPE gets within reach of it on this known function.
  expect(best!.values![0]).toBeLessThan(1);
});
