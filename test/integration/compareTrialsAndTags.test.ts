import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASK, CREATE_STUDY, ENQUEUE, TELL } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
let a: string;
let b: string;
let trialOfA: string;

const COMPARE_TRIALS = `query($ids: [ID!]!, $params: [String!], $first: Int, $states: [TrialState!]) {
  compareTrials(studyIds: $ids, params: $params, first: $first, states: $states) {
    params hasMore entries { studyId trialId number state values params trial { id number } }
  }
}`;
const STUDY_TAGS = `query($id: ID!) { study(id: $id) { tags note } }`;

/** Enqueues and runs one trial with fixed parameters. */
async function runTrial(studyId: string, params: Record<string, unknown>, value: number | "FAIL"): Promise<string> {
  await server.ok(ENQUEUE, { studyId, params });
  const { askTrial } = await server.ok(ASK, { studyId });
  if (value === "FAIL") await server.ok(TELL, { trialId: askTrial.id, state: "FAIL" });
  else await server.ok(TELL, { trialId: askTrial.id, state: "COMPLETE", values: [value] });
  return askTrial.id;
}

beforeAll(async () => {
  server = await startTestServer();
  a = (await server.ok(CREATE_STUDY, { input: { name: "trials-a" } })).createStudy.id;
  b = (await server.ok(CREATE_STUDY, { input: { name: "trials-b" } })).createStudy.id;
  trialOfA = await runTrial(a, { lr: 0.1, layers: 2, optimizer: "adam" }, 0.5);
  await runTrial(a, { lr: 0.01, layers: 3, optimizer: "sgd" }, 0.4);
  await runTrial(a, { lr: 0.3, layers: 1, optimizer: "sgd" }, "FAIL");
  await runTrial(b, { lr: 0.05, layers: 4, dropout: 0.2 }, 0.3);
  await runTrial(b, { lr: 0.02, dropout: 0.1 }, 0.35);
});
afterAll(async () => {
  await server?.close();
});

describe("compareTrials", () => {
  it("gives the finished trials of several studies over the parameters they share", async () => {
    const { compareTrials } = await server.ok(COMPARE_TRIALS, { ids: [a, b] });
    expect(compareTrials.params).toEqual(["lr", "layers"]);
    expect(compareTrials.entries.map((t: any) => [t.studyId, t.number, t.values])).toEqual([
      [a, 0, [0.5]],
      [a, 1, [0.4]],
      [b, 0, [0.3]],
      [b, 1, [0.35]],
    ]);
    expect(compareTrials.entries[0].params).toEqual({ lr: 0.1, layers: 2 });
    expect(compareTrials.entries[3].params).toEqual({ lr: 0.02 });
    expect(compareTrials.entries[0].trial.id).toBe(compareTrials.entries[0].trialId);
  });

  it("takes the parameters asked for, other finished states, and at most `first` trials per study", async () => {
    const named = (await server.ok(COMPARE_TRIALS, { ids: [b, a], params: ["dropout"] })).compareTrials;
    expect(named.params).toEqual(["dropout"]);
    expect(named.entries.map((t: any) => t.studyId)).toEqual([b, b, a, a]);
    expect(named.entries[2].params).toEqual({});
    const failed = (await server.ok(COMPARE_TRIALS, { ids: [a, b], states: ["FAIL"] })).compareTrials;
    expect(failed.entries.map((t: any) => [t.studyId, t.number, t.state])).toEqual([[a, 2, "FAIL"]]);
    const few = (await server.ok(COMPARE_TRIALS, { ids: [a, b], first: 1 })).compareTrials;
    expect(few.entries.map((t: any) => t.number)).toEqual([0, 0]);
    expect(few.hasMore).toBe(true);
  });

  it("refuses unknown studies, unfinished states and empty lists", async () => {
    const missing = await server.gql(COMPARE_TRIALS, { ids: [a, "999999"] });
    expect(missing.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const running = await server.gql(COMPARE_TRIALS, { ids: [a], states: ["RUNNING"] });
    expect(running.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "states" });
    const none = await server.gql(COMPARE_TRIALS, { ids: [] });
    expect(none.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "studyIds" });
  });

  it("costs the same number of statements for one study as for two", async () => {
    const count = async (ids: string[]) => {
      const before = server.db.statements;
      await server.ok(COMPARE_TRIALS, { ids });
      return server.db.statements - before;
    };
    expect(await count([a, b])).toBe(await count([a]));
  });
});

describe("compareStudies with parameter importances", () => {
  it("rates each compared study's parameters when the client selects study { paramImportances }", async () => {
    const searchSpace = [
      { name: "lr", type: "FLOAT", low: 0.001, high: 1, log: true },
      { name: "layers", type: "INT", low: 1, high: 8 },
    ];
    const ids: string[] = [];
    for (const name of ["importance-1", "importance-2"]) {
      const id = (await server.ok(CREATE_STUDY, { input: { name, searchSpace, sampler: { type: "RANDOM", seed: ids.length } } })).createStudy.id;
      for (let i = 0; i < 12; i++) {
        const { askTrial } = await server.ok(ASK, { studyId: id });
        await server.ok(TELL, { trialId: askTrial.id, state: "COMPLETE", values: [askTrial.params.layers + askTrial.params.lr / 100] });
      }
      ids.push(id);
    }
    const { compareStudies } = await server.ok(`query($ids: [ID!]) {
      compareStudies(filter: { ids: $ids }) { entries { study { paramImportances { name importance } } } }
    }`, { ids });
    for (const entry of compareStudies.entries) {
      const importances = entry.study.paramImportances;
      expect(importances.map((p: any) => p.name)).toEqual(["layers", "lr"]);
      expect(importances.reduce((sum: number, p: any) => sum + p.importance, 0)).toBeCloseTo(1, 6);
    }
  });
});

describe("tags and notes", () => {
  it("sets a study's tags trimmed and without duplicates, and edits them keeping the order", async () => {
    const set = await server.ok(`mutation($id: ID!) { setStudyTags(studyId: $id, tags: [" cnn ", "baseline", "cnn"]) { tags } }`, { id: a });
    expect(set.setStudyTags.tags).toEqual(["cnn", "baseline"]);
    const edited = await server.ok(`mutation($id: ID!) { tagStudy(studyId: $id, add: ["v2", "cnn"], remove: ["baseline"]) { tags } }`, { id: a });
    expect(edited.tagStudy.tags).toEqual(["cnn", "v2"]);
    expect((await server.ok(STUDY_TAGS, { id: a })).study.tags).toEqual(["cnn", "v2"]);
  });

  it("keeps every tag of concurrent edits of one study", async () => {
    await server.ok(`mutation($id: ID!) { setStudyTags(studyId: $id, tags: []) { tags } }`, { id: b });
    const tags = Array.from({ length: 8 }, (_, i) => `t${i}`);
    await Promise.all(tags.map((tag) => server.ok(`mutation($id: ID!, $t: String!) { tagStudy(studyId: $id, add: [$t]) { id } }`, { id: b, t: tag })));
    expect([...(await server.ok(STUDY_TAGS, { id: b })).study.tags].sort()).toEqual(tags);
  });

  it("sets and clears notes on studies and trials", async () => {
    await server.ok(`mutation($id: ID!) { setStudyNote(studyId: $id, note: "  lr sweep, second round  ") { note } }`, { id: a });
    expect((await server.ok(STUDY_TAGS, { id: a })).study.note).toBe("lr sweep, second round");
    await server.ok(`mutation($id: ID!) { setStudyNote(studyId: $id, note: "   ") { note } }`, { id: a });
    expect((await server.ok(STUDY_TAGS, { id: a })).study.note).toBeNull();

    await server.ok(`mutation($t: ID!) { setTrialNote(trialId: $t, note: "diverged at epoch 3") { id } setTrialTags(trialId: $t, tags: ["odd"]) { id } }`, { t: trialOfA });
    await server.ok(`mutation($t: ID!) { tagTrial(trialId: $t, add: ["rerun"]) { id } }`, { t: trialOfA });
    const { study } = await server.ok(`query($id: ID!) { study(id: $id) { trials(first: 1) { edges { node { tags note } } } } }`, { id: a });
    expect(study.trials.edges[0].node).toEqual({ tags: ["odd", "rerun"], note: "diverged at epoch 3" });
  });

  it("finds studies by tag in compareStudies", async () => {
    await server.ok(`mutation($id: ID!) { setStudyTags(studyId: $id, tags: ["cnn", "v2"]) { id } }`, { id: a });
    const { compareStudies } = await server.ok(`{ compareStudies(filter: { tags: ["v2"] }) { entries { study { id } } } }`);
    expect(compareStudies.entries.map((e: any) => e.study.id)).toEqual([a]);
  });

  const invalid: Array<[string, string, Record<string, unknown>, string]> = [
    ["an empty tag", `mutation($id: ID!, $tags: [String!]!) { setStudyTags(studyId: $id, tags: $tags) { id } }`, { tags: ["ok", "  "] }, "tags[1]"],
    ["a tag over 64 characters", `mutation($id: ID!, $tags: [String!]!) { setStudyTags(studyId: $id, tags: $tags) { id } }`, { tags: ["x".repeat(65)] }, "tags[0]"],
    ["a tag with a newline", `mutation($id: ID!, $tags: [String!]!) { setStudyTags(studyId: $id, tags: $tags) { id } }`, { tags: ["a\nb"] }, "tags[0]"],
    ["51 tags", `mutation($id: ID!, $tags: [String!]!) { setStudyTags(studyId: $id, tags: $tags) { id } }`, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, "tags"],
    ["a tag both added and removed", `mutation($id: ID!) { tagStudy(studyId: $id, add: ["x"], remove: ["x"]) { id } }`, {}, "remove"],
    ["a note over 10,000 characters", `mutation($id: ID!, $n: String) { setStudyNote(studyId: $id, note: $n) { id } }`, { n: "n".repeat(10_001) }, "note"],
  ];
  for (const [what, mutation, variables, field] of invalid) {
    it(`refuses ${what} with BAD_USER_INPUT naming ${field}, changing nothing`, async () => {
      const before = (await server.ok(STUDY_TAGS, { id: a })).study;
      const body = await server.gql(mutation, { id: a, ...variables });
      expect(body.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect((await server.ok(STUDY_TAGS, { id: a })).study).toEqual(before);
    });
  }

  it("answers NOT_FOUND for a study or trial that does not exist", async () => {
    const study = await server.gql(`mutation { setStudyTags(studyId: "999999", tags: ["x"]) { id } }`);
    expect(study.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const trial = await server.gql(`mutation { tagTrial(trialId: "999999", add: ["x"]) { id } }`);
    expect(trial.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});
