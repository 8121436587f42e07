import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREATE_STUDY } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function expectError(query: string, variables: Record<string, unknown>, code: string, messageOrField?: RegExp | string) {
  const body = await server.gql(query, variables);
  expect(body.errors, JSON.stringify(body)).toBeDefined();
  const error = body.errors![0];
  expect(error.extensions?.code).toBe(code);
  if (typeof messageOrField === "string") expect(error.extensions?.field).toBe(messageOrField);
  else if (messageOrField) expect(error.message).toMatch(messageOrField);
  return error;
}

describe("createStudy", () => {
  it("fills in the defaults: one MINIMIZE direction, a seeded default sampler, no pruner", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, { input: { name: "defaults" } });
    expect(createStudy.directions).toEqual(["MINIMIZE"]);
    expect(createStudy.sampler.type).toMatch(/^(AUTO|RANDOM)$/);
    expect(Number.isInteger(createStudy.sampler.seed)).toBe(true);
    expect(createStudy.pruner.type).toBe("NONE");
    expect(createStudy.objectiveMetric).toBe("objective");
    expect(createStudy.searchSpace).toEqual([]);
  });

  it("stores the declared space normalised, with log false for categoricals", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, {
      input: {
        name: "space",
        directions: ["MAXIMIZE"],
        sampler: { type: "random", seed: 3 },
        searchSpace: [
          { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true },
          { name: "layers", type: "INT", low: 1, high: 6 },
          { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd"] },
        ],
      },
    });
    expect(createStudy.sampler).toEqual({ type: "RANDOM", seed: 3, options: {} });
    expect(createStudy.searchSpace).toEqual([
      { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true, step: null, choices: null },
      { name: "layers", type: "INT", low: 1, high: 6, log: false, step: 1, choices: null },
      { name: "optimizer", type: "CATEGORICAL", low: null, high: null, log: false, step: null, choices: ["adam", "sgd"] },
    ]);
  });

  it("refuses a second study of the same name unless loadIfExists", async () => {
    const first = (await server.ok(CREATE_STUDY, { input: { name: "twice" } })).createStudy;
    await expectError(CREATE_STUDY, { input: { name: "twice" } }, "CONFLICT", /loadIfExists/);
    const again = (await server.ok(CREATE_STUDY, { input: { name: "twice", loadIfExists: true } })).createStudy;
    expect(again.id).toBe(first.id);
  });

  const invalid: Array<[string, object, string]> = [
    ["an empty name", { name: "  " }, "input.name"],
    ["no directions", { name: "x1", directions: [] }, "input.directions"],
    ["low >= high", { name: "x2", searchSpace: [{ name: "a", type: "FLOAT", low: 2, high: 1 }] }, "input.searchSpace[0].low"],
    ["log with low <= 0", { name: "x3", searchSpace: [{ name: "a", type: "FLOAT", low: 0, high: 1, log: true }] }, "input.searchSpace[0].low"],
    ["a categorical without choices", { name: "x4", searchSpace: [{ name: "c", type: "CATEGORICAL" }] }, "input.searchSpace[0].choices"],
    ["an empty parameter name", { name: "x5", searchSpace: [{ name: "", type: "INT", low: 0, high: 3 }] }, "input.searchSpace[0].name"],
    [
      "duplicate parameter names",
      { name: "x6", searchSpace: [{ name: "a", type: "INT", low: 0, high: 3 }, { name: "a", type: "INT", low: 0, high: 3 }] },
      "input.searchSpace[1].name",
    ],
    ["an unknown sampler", { name: "x7", sampler: { type: "SIMULATED_ANNEALING" } }, "input.sampler.type"],
    ["an unknown pruner", { name: "x8", pruner: { type: "GUESS" } }, "input.pruner.type"],
  ];
  for (const [what, input, field] of invalid) {
    it(`refuses ${what} with BAD_USER_INPUT naming ${field}, and stores nothing`, async () => {
      const before = (await server.ok(`{ studies { totalCount } }`)).studies.totalCount;
      const error = await expectError(CREATE_STUDY, { input }, "BAD_USER_INPUT");
      expect(error.extensions?.field).toBe(field);
      expect(error.message.length).toBeGreaterThan(10);
      expect((await server.ok(`{ studies { totalCount } }`)).studies.totalCount).toBe(before);
    });
  }
});

describe("finding, listing and deleting studies", () => {
  it("finds a study by id and by name, and answers null for unknown ones", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, { input: { name: "findable" } });
    const byId = await server.ok(`query($id: ID) { study(id: $id) { name } }`, { id: createStudy.id });
    expect(byId.study.name).toBe("findable");
    const byName = await server.ok(`query($n: String) { study(name: $n) { id } }`, { n: "findable" });
    expect(byName.study.id).toBe(createStudy.id);
    expect((await server.ok(`{ study(id: "999999") { id } }`)).study).toBeNull();
    expect((await server.ok(`{ study(id: "not-an-id") { id } }`)).study).toBeNull();
  });

  it("pages through studies with Relay cursors and filters by name", async () => {
    for (let i = 0; i < 5; i++) await server.ok(CREATE_STUDY, { input: { name: `paged-${i}` } });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { studies }: any = await server.ok(
        `query($after: String) { studies(first: 2, after: $after, nameContains: "paged-") { totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(studies.totalCount).toBe(5);
      seen.push(...studies.edges.map((e: any) => e.node.name));
      if (!studies.pageInfo.hasNextPage) break;
      after = studies.pageInfo.endCursor;
    }
    expect(seen).toEqual(["paged-0", "paged-1", "paged-2", "paged-3", "paged-4"]);
    await expectError(`{ studies(after: "garbage") { totalCount } }`, {}, "BAD_USER_INPUT", "after");
    await expectError(`{ studies(first: 5000) { totalCount } }`, {}, "BAD_USER_INPUT", "first");
  });

  it("deletes a study with its trials and metrics; unknown ids are NOT_FOUND", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, { input: { name: "doomed" } });
    const { askTrial } = await server.ok(`mutation($s: ID!) { askTrial(studyId: $s) { id } }`, { s: createStudy.id });
    await server.ok(`mutation($t: ID!) { reportMetrics(trialId: $t, points: [{step: 0, value: 1}]) { shouldPrune } }`, { t: askTrial.id });
    expect((await server.ok(`mutation($id: ID!) { deleteStudy(id: $id) }`, { id: createStudy.id })).deleteStudy).toBe(true);
    expect((await server.ok(`query($id: ID!) { trial(id: $id) { id } }`, { id: askTrial.id })).trial).toBeNull();
    const [{ n }] = await server.db.query<{ n: string }>(`SELECT count(*) AS n FROM metric_series`);
    expect(Number(n)).toBe(0);
    await expectError(`mutation($id: ID!) { deleteStudy(id: $id) }`, { id: createStudy.id }, "NOT_FOUND");
  });
});

describe("user attributes", () => {
  it("merges study and trial attributes, removes keys set to null, keeps nested nulls", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, { input: { name: "attrs", userAttrs: { team: "vision", owner: "ana" } } });
    const study = (
      await server.ok(`mutation($id: ID!, $a: JSON!) { setStudyUserAttrs(studyId: $id, attrs: $a) { userAttrs } }`, {
        id: createStudy.id,
        a: { owner: null, note: { seen: null } },
      })
    ).setStudyUserAttrs;
    expect(study.userAttrs).toEqual({ team: "vision", note: { seen: null } });

    const t = (await server.ok(`mutation($s: ID!) { askTrial(studyId: $s) { id } }`, { s: createStudy.id })).askTrial;
    await server.ok(`mutation($t: ID!) { tellTrial(trialId: $t, state: FAIL) { state } }`, { t: t.id });
    const trial = (
      await server.ok(`mutation($t: ID!, $a: JSON!) { setTrialUserAttrs(trialId: $t, attrs: $a) { state userAttrs } }`, {
        t: t.id,
        a: { reason: "out of memory", gpu: 0 },
      })
    ).setTrialUserAttrs;
    expect(trial).toEqual({ state: "FAIL", userAttrs: { reason: "out of memory", gpu: 0 } });

    const bad = await server.gql(`mutation($t: ID!) { setTrialUserAttrs(trialId: $t, attrs: [1, 2]) { id } }`, { t: t.id });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "attrs" });
    const missing = await server.gql(`mutation { setStudyUserAttrs(studyId: "987654", attrs: {}) { id } }`);
    expect(missing.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});
