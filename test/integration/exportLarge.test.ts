import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/** A finished study of `trials` trials with `points` objective points each, as an export holds it. */
function syntheticExport(trials: number, points: number) {
  const start = Date.UTC(2025, 0, 1);
  const iso = (ms: number, us = 0) => new Date(ms).toISOString().replace("Z", String(us).padStart(3, "0") + "Z");
  return {
    format: "graphtune-study",
    version: 1,
    exportedAt: iso(start),
    study: {
      name: "large",
      directions: ["MINIMIZE"],
      searchSpace: [{ name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true, step: null, condition: null }],
      sampler: { type: "RANDOM", seed: 1, options: {} },
      pruner: { type: "NONE", options: {} },
      objectiveMetric: "objective",
      userAttrs: {},
      tags: ["large"],
      note: null,
      createdAt: iso(start),
      samplerState: null,
      nextTrialNumber: trials,
    },
    trials: Array.from({ length: trials }, (_, n) => ({
      number: n,
      state: "COMPLETE",
      params: { lr: Math.exp(-1 - (n % 10)) },
      distributions: { lr: { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true, step: null, condition: null } },
      values: [1 / (n + 1) + Math.PI * 1e-9],
      userAttrs: {},
      tags: [],
      note: null,
      pruneReason: null,
      failReason: null,
      owner: null,
      askKey: null,
      retryOf: null,
      createdAt: iso(start + n * 1000, 123),
      startedAt: iso(start + n * 1000, 456),
      completedAt: iso(start + n * 1000 + 900, 789),
      heartbeatAt: null,
      metrics: [
        {
          name: "objective",
          steps: Array.from({ length: points }, (_, s) => s),
          values: Array.from({ length: points }, (_, s) => Math.exp(-s / 30) / (n + 1)),
          timeBase: iso(start + n * 1000, 1),
          timeOffsetsUs: Array.from({ length: points }, (_, s) => s * 8001),
        },
      ],
    })),
  };
}

// 52,000 points: more than one batch of the importer's inserts (50,000 points each).
const TRIALS = 520;
const POINTS = 100;

it(`imports and exports a study of ${TRIALS} trials x ${POINTS} points without losing a point`, async () => {
  const doc = syntheticExport(TRIALS, POINTS);
  const data = JSON.stringify(doc);
  let t = performance.now();
  const { importStudy } = await server.ok(`mutation($data: String!) { importStudy(data: $data) { id trialCount } }`, { data });
  const importMs = performance.now() - t;
  expect(importStudy.trialCount).toBe(TRIALS);
  t = performance.now();
  const exported = JSON.parse((await server.ok(`query($id: ID!) { exportStudy(id: $id) }`, { id: importStudy.id })).exportStudy);
  const exportMs = performance.now() - t;
  const { exportedAt: _a, ...again } = exported;
  const { exportedAt: _b, ...original } = doc;
  expect(again).toEqual(original);
  console.info(`${TRIALS} trials x ${POINTS} points (${(data.length / 1e6).toFixed(1)} MB of JSON): import ${importMs.toFixed(0)} ms, export ${exportMs.toFixed(0)} ms`);
});
