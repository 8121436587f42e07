import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

it("creates a study, asks, reports and tells", async () => {
  const { createStudy } = await server.ok(
    `mutation($input: CreateStudyInput!) { createStudy(input: $input) { id name directions sampler { type seed } searchSpace { name type low high log } } }`,
    { input: { name: "smoke", searchSpace: [{ name: "lr", type: "FLOAT", low: 1e-4, high: 1, log: true }] } },
  );
  expect(createStudy.name).toBe("smoke");
  const { askTrial } = await server.ok(`mutation($id: ID!) { askTrial(studyId: $id) { id number state params } }`, { id: createStudy.id });
  expect(askTrial.number).toBe(0);
  const { reportMetrics } = await server.ok(
    `mutation($t: ID!) { reportMetrics(trialId: $t, points: [{step: 0, value: 1.5}, {step: 1, value: 1.2}]) { shouldPrune reason } }`,
    { t: askTrial.id },
  );
  expect(reportMetrics.shouldPrune).toBe(false);
  const { tellTrial } = await server.ok(`mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, values: [0.5]) { state values intermediateValues { step value time } study { bestTrial { number } trialCount } } }`, { t: askTrial.id });
  expect(tellTrial.state).toBe("COMPLETE");
  expect(tellTrial.intermediateValues.map((p: any) => p.value)).toEqual([1.5, 1.2]);
  expect(tellTrial.study.bestTrial.number).toBe(0);
});
