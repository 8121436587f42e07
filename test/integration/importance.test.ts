import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASK, CREATE_STUDY, PRUNE, REPORT, SUGGEST, TELL } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const IMPORTANCES = `query($id: ID, $method: ImportanceMethod, $objective: Int, $states: [TrialState!]) {
  study(id: $id) { paramImportances(method: $method, objective: $objective, states: $states) { name importance } }
}`;

type Importance = { name: string; importance: number };

async function importances(id: string, args: Record<string, unknown> = {}): Promise<Importance[]> {
  return (await server.ok(IMPORTANCES, { id, ...args })).study.paramImportances;
}

const SPACE = [
  { name: "x", type: "FLOAT", low: 0, high: 1 },
  { name: "y", type: "FLOAT", low: 0, high: 1 },
  { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd"] },
];

/** A random-search study with `n` trials told `values(params)`. */
async function runStudy(name: string, n: number, values: (p: Record<string, any>) => number[], directions?: string[]): Promise<string> {
  const input = { name, searchSpace: SPACE, sampler: { type: "RANDOM", seed: 3 }, ...(directions ? { directions } : {}) };
  const studyId = (await server.ok(CREATE_STUDY, { input })).createStudy.id;
  for (let i = 0; i < n; i++) {
    const trial = (await server.ok(ASK, { studyId })).askTrial;
    await server.ok(TELL, { trialId: trial.id, state: "COMPLETE", values: values(trial.params) });
  }
  return studyId;
}

function expectShares(result: Importance[], names: string[]) {
  expect(result.map((r) => r.name).sort()).toEqual([...names].sort());
  expect(result.reduce((a, r) => a + r.importance, 0)).toBeCloseTo(1, 9);
  for (let i = 1; i < result.length; i++) expect(result[i - 1].importance).toBeGreaterThanOrEqual(result[i].importance);
}

describe("Study.paramImportances", () => {
  it("rates the parameter that drives the objective first, with PED-ANOVA by default and with fANOVA, in one SQL statement", async () => {
    const id = await runStudy("importance-single", 40, (p) => [10 * (p.x - 0.5) ** 2 + 0.1 * p.y]);
    const byDefault = await importances(id);
    expectShares(byDefault, ["x", "y", "optimizer"]);
    expect(byDefault[0].name).toBe("x");
    expect(byDefault[0].importance).toBeGreaterThan(0.5);
    expect(await importances(id, { method: "PED_ANOVA" })).toEqual(byDefault);

    const fanova = await importances(id, { method: "FANOVA" });
    expectShares(fanova, ["x", "y", "optimizer"]);
    expect(fanova[0]).toMatchObject({ name: "x" });
    expect(fanova[0].importance).toBeGreaterThan(0.8);
    expect(fanova.find((r) => r.name === "optimizer")!.importance).toBeLessThan(0.1);

    // Beside the study itself, the field reads the trials once.
    server.db.statements = 0;
    await server.ok(`query($id: ID) { study(id: $id) { id } }`, { id });
    const withoutField = server.db.statements;
    server.db.statements = 0;
    await importances(id, { method: "FANOVA" });
    expect(server.db.statements - withoutField).toBe(1);
  });

  it("is empty below two finished trials and follows new trials at once", async () => {
    const studyId = (await server.ok(CREATE_STUDY, { input: { name: "importance-few", searchSpace: SPACE } })).createStudy.id;
    expect(await importances(studyId)).toEqual([]);
    const first = (await server.ok(ASK, { studyId })).askTrial;
    await server.ok(TELL, { trialId: first.id, state: "COMPLETE", values: [1] });
    await server.ok(ASK, { studyId }); // RUNNING: not finished, not counted
    expect(await importances(studyId)).toEqual([]);
    expect(await importances(studyId, { method: "FANOVA" })).toEqual([]);
    const second = (await server.ok(ASK, { studyId })).askTrial;
    await server.ok(TELL, { trialId: second.id, state: "COMPLETE", values: [2] });
    expectShares(await importances(studyId), ["x", "y", "optimizer"]);
    expectShares(await importances(studyId, { method: "FANOVA" }), ["x", "y", "optimizer"]);
  });

  it("rates the objective named by index in a multi-objective study, and refuses one it does not have", async () => {
    const id = await runStudy("importance-multi", 40, (p) => [10 * (p.x - 0.5) ** 2 + 0.1 * p.y, -10 * (p.y - 0.5) ** 2 + 0.1 * p.x], ["MINIMIZE", "MAXIMIZE"]);
    for (const method of ["PED_ANOVA", "FANOVA"]) {
      expect((await importances(id, { method }))[0].name, method).toBe("x");
      expect((await importances(id, { method, objective: 0 }))[0].name, method).toBe("x");
      expect((await importances(id, { method, objective: 1 }))[0].name, method).toBe("y");
    }
    for (const objective of [2, -1]) {
      const { errors } = await server.gql(IMPORTANCES, { id, objective });
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "objective" });
      expect(errors?.[0].message).toContain("0 to 1");
    }
  });

  it("counts the trial states asked for and lists define-by-run parameters", async () => {
    const studyId = (await server.ok(CREATE_STUDY, { input: { name: "importance-states", searchSpace: SPACE, sampler: { type: "RANDOM", seed: 5 } } })).createStudy.id;
    const complete = (await server.ok(ASK, { studyId })).askTrial;
    await server.ok(SUGGEST, { trialId: complete.id, spec: { name: "batch", type: "INT", low: 16, high: 128 } });
    await server.ok(TELL, { trialId: complete.id, state: "COMPLETE", values: [0.5] });
    for (let i = 0; i < 3; i++) {
      const trial = (await server.ok(ASK, { studyId })).askTrial;
      await server.ok(SUGGEST, { trialId: trial.id, spec: { name: "batch", type: "INT", low: 16, high: 128 } });
      await server.ok(REPORT, { trialId: trial.id, points: [{ step: 0, value: 2 + trial.params.x }] });
      await server.ok(PRUNE, { trialId: trial.id });
    }
    const failed = (await server.ok(ASK, { studyId })).askTrial;
    await server.ok(TELL, { trialId: failed.id, state: "FAIL" });

    expect(await importances(studyId)).toEqual([]);
    expectShares(await importances(studyId, { states: ["COMPLETE", "PRUNED"] }), ["x", "y", "optimizer", "batch"]);
    expect(await importances(studyId, { states: ["FAIL"] })).toEqual([]);
    expect(await importances(studyId, { states: [] })).toEqual([]);
  });
});
