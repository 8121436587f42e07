import { afterAll, beforeAll, expect, it } from "vitest";
import { tfjsDigits } from "../../examples/tfjsDigits";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

it("the instrumented tfjs example trains real models, reports every epoch and learns digits", async () => {
  const lines: string[] = [];
  const best = await tfjsDigits(server.url, { nTrials: 3, epochs: 3, print: (line) => lines.push(line) });
  expect(lines.filter((l) => /^trial \d+: /.test(l))).toHaveLength(3);
  const { study } = await server.ok(`query { study(name: "tfjs-digits") { trials(first: 10) { edges { node { state intermediateValues { step } } } } } }`);
  const first = study.trials.edges[0].node;
  expect(first.intermediateValues.map((p: { step: number }) => p.step)).toEqual([1, 2, 3]);
  // Ten classes: chance is 0.1; even three epochs of a small MLP do far better.
  expect(best!.values![0]).toBeGreaterThan(0.5);
}, 60_000);
