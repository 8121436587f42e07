import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASK, CREATE_STUDY, TELL } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
const ids: Record<string, string> = {};
let createdBetween: string;

const COMPARE = `query($filter: StudyFilter, $first: Int, $after: String, $max: Int, $axis: CurveAxis) {
  compareStudies(filter: $filter, first: $first, after: $after, maxCurvePoints: $max, axis: $axis) {
    totalCount axis pageInfo { hasNextPage endCursor }
    scale { direction mixedDirections worst best }
    entries { cursor study { id name tags } counts { complete pruned fail running waiting total } bestValues
      bestSoFar { x trialNumber completedAt value normalized } }
  }
}`;

async function createStudy(name: string, directions: string[], tags: string[] = []): Promise<string> {
  const { createStudy } = await server.ok(CREATE_STUDY, { input: { name, directions } });
  if (tags.length) await server.ok(`mutation($id: ID!, $tags: [String!]!) { setStudyTags(studyId: $id, tags: $tags) { id } }`, { id: createStudy.id, tags });
  return createStudy.id;
}

/** Runs one trial per entry: a number or list completes it with those values, a state ends it so. */
async function runTrials(studyId: string, outcomes: Array<number | number[] | "PRUNED" | "FAIL" | "RUNNING">): Promise<void> {
  for (const outcome of outcomes) {
    const { askTrial } = await server.ok(ASK, { studyId });
    if (outcome === "RUNNING") continue;
    if (outcome === "PRUNED" || outcome === "FAIL") await server.ok(TELL, { trialId: askTrial.id, state: outcome });
    else await server.ok(TELL, { trialId: askTrial.id, state: "COMPLETE", values: Array.isArray(outcome) ? outcome : [outcome] });
  }
}

async function compare(variables: Record<string, unknown>) {
  return (await server.ok(COMPARE, variables)).compareStudies;
}

beforeAll(async () => {
  server = await startTestServer();
  ids.a = await createStudy("mlp-a", ["MINIMIZE"], ["team-x", "cnn"]);
  await runTrials(ids.a, [5, 3, "PRUNED", 4, 1, "FAIL", "RUNNING"]);
  ids.b = await createStudy("mlp-b", ["MINIMIZE"], ["team-x"]);
  await runTrials(ids.b, [4, 6, 2]);
  await new Promise((r) => setTimeout(r, 20));
  createdBetween = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  ids.c = await createStudy("accuracy-c", ["MAXIMIZE"], ["other"]);
  await runTrials(ids.c, [0.5, 0.9, 0.7]);
  ids.empty = await createStudy("empty-d", ["MINIMIZE"], ["other"]);
  ids.multi = await createStudy("multi-e", ["MINIMIZE", "MAXIMIZE"], ["multi"]);
  await runTrials(ids.multi, [[1, 5], [2, 9], [3, 1]]);
});
afterAll(async () => {
  await server?.close();
});

describe("compareStudies filters", () => {
  const names = (result: any) => result.entries.map((e: any) => e.study.name);

  it("takes studies carrying all of the given tags", async () => {
    expect(names(await compare({ filter: { tags: ["team-x"] } }))).toEqual(["mlp-a", "mlp-b"]);
    expect(names(await compare({ filter: { tags: ["team-x", "cnn"] } }))).toEqual(["mlp-a"]);
    expect(names(await compare({ filter: { tags: ["team-x", "other"] } }))).toEqual([]);
  });

  it("filters by name, creation time, ids and project", async () => {
    expect(names(await compare({ filter: { nameContains: "MLP" } }))).toEqual(["mlp-a", "mlp-b"]);
    expect(names(await compare({ filter: { createdBefore: createdBetween } }))).toEqual(["mlp-a", "mlp-b"]);
    expect(names(await compare({ filter: { createdAfter: createdBetween } }))).toEqual(["accuracy-c", "empty-d", "multi-e"]);
    expect(names(await compare({ filter: { ids: [ids.c, ids.a] } }))).toEqual(["mlp-a", "accuracy-c"]);
    expect((await compare({ filter: { project: "default" } })).totalCount).toBe(5);
    const { viewer } = await server.ok(`{ viewer { projects { project { id name } } } }`);
    const defaultId = viewer.projects.find((p: any) => p.project.name === "default").project.id;
    expect(names(await compare({ filter: { projectId: defaultId, tags: ["team-x"] } }))).toEqual(["mlp-a", "mlp-b"]);
  });

  it("answers NOT_FOUND for a project that does not exist, and BAD_USER_INPUT for a bad filter", async () => {
    const missing = await server.gql(COMPARE, { filter: { project: "no-such-project" } });
    expect(missing.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const missingId = await server.gql(COMPARE, { filter: { projectId: "987654" } });
    expect(missingId.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const bad = await server.gql(COMPARE, { filter: { tags: ["ok", " "] } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.tags[1]" });
    const order = await server.gql(COMPARE, { filter: { createdAfter: createdBetween, createdBefore: createdBetween } });
    expect(order.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.createdBefore" });
    const big = await server.gql(COMPARE, { first: 1000 });
    expect(big.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });

  it("pages with first and after, counting every match", async () => {
    const page1 = await compare({ first: 2 });
    expect(names(page1)).toEqual(["mlp-a", "mlp-b"]);
    expect(page1.totalCount).toBe(5);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await compare({ first: 2, after: page1.pageInfo.endCursor });
    expect(names(page2)).toEqual(["accuracy-c", "empty-d"]);
    const page3 = await compare({ first: 2, after: page2.pageInfo.endCursor });
    expect(names(page3)).toEqual(["multi-e"]);
    expect(page3.pageInfo.hasNextPage).toBe(false);
  });
});

describe("compareStudies entries", () => {
  it("counts trials by state and gives each study's best value", async () => {
    const { entries } = await compare({ filter: { ids: [ids.a, ids.empty] } });
    expect(entries[0].counts).toEqual({ complete: 4, pruned: 1, fail: 1, running: 1, waiting: 0, total: 7 });
    expect(entries[0].bestValues).toEqual([1]);
    expect(entries[1].counts.total).toBe(0);
    expect(entries[1].bestValues).toBeNull();
    expect(entries[1].bestSoFar).toEqual([]);
  });

  it("gives a multi-objective study its best value per objective, each in its own direction", async () => {
    const { entries } = await compare({ filter: { ids: [ids.multi] } });
    expect(entries[0].bestValues).toEqual([1, 9]);
  });

  it("draws best-so-far curves by trial number on one scale: 1 is the best of all, 0 the worst best-so-far", async () => {
    const result = await compare({ filter: { tags: ["team-x"] } });
    expect(result.scale).toEqual({ direction: "MINIMIZE", mixedDirections: false, worst: 5, best: 1 });
    const [a, b] = result.entries.map((e: any) => e.bestSoFar);
    // a: 5, 3, (pruned), 4, 1 -> steps at trials 0, 1 and 4; b: 4, 6, 2 -> steps at 0 and 2.
    expect(a.map((p: any) => [p.trialNumber, p.value, p.normalized])).toEqual([
      [0, 5, 0],
      [1, 3, 0.5],
      [4, 1, 1],
    ]);
    expect(b.map((p: any) => [p.x, p.value, p.normalized])).toEqual([
      [0, 4, 0.25],
      [2, 2, 0.75],
    ]);
  });

  it("keeps a study's last trial on its curve even when it did not improve", async () => {
    const { entries } = await compare({ filter: { ids: [ids.c] } });
    expect(entries[0].bestSoFar.map((p: any) => [p.trialNumber, p.value])).toEqual([
      [0, 0.5],
      [1, 0.9],
      [2, 0.9],
    ]);
  });

  it("puts studies of opposite directions on one scale where larger is better", async () => {
    const result = await compare({ filter: { ids: [ids.a, ids.c] } });
    expect(result.scale).toMatchObject({ direction: "MAXIMIZE", mixedDirections: true, worst: -5, best: 0.9 });
    const [a, c] = result.entries.map((e: any) => e.bestSoFar.map((p: any) => p.normalized));
    expect(a[0]).toBe(0);
    expect(c.at(-1)).toBe(1);
    for (const curve of [a, c]) for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThanOrEqual(curve[i - 1]);
  });

  it("measures elapsed seconds on the ELAPSED_TIME axis, in completion order", async () => {
    const result = await compare({ filter: { ids: [ids.a] }, axis: "ELAPSED_TIME" });
    expect(result.axis).toBe("ELAPSED_TIME");
    const curve = result.entries[0].bestSoFar;
    expect(curve.length).toBe(3);
    expect(curve[0].x).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i].x).toBeGreaterThanOrEqual(curve[i - 1].x);
      expect(Date.parse(curve[i].completedAt)).toBeGreaterThanOrEqual(Date.parse(curve[i - 1].completedAt));
    }
  });

  it("downsamples long curves to maxCurvePoints, keeping the first and the last point", async () => {
    const id = await createStudy("long-f", ["MINIMIZE"], ["long"]);
    await runTrials(id, Array.from({ length: 24 }, (_, i) => 100 - i));
    const full = (await compare({ filter: { ids: [id] } })).entries[0].bestSoFar;
    expect(full).toHaveLength(24);
    const short = (await compare({ filter: { ids: [id] }, max: 8 })).entries[0].bestSoFar;
    expect(short).toHaveLength(8);
    expect(short[0].trialNumber).toBe(0);
    expect(short.at(-1).trialNumber).toBe(23);
    expect(short.at(-1).normalized).toBe(1);
    const bad = await server.gql(COMPARE, { max: 1 });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "maxCurvePoints" });
  });

  it("costs one statement for the page however many studies it holds", async () => {
    const statementsFor = async (filter: object) => {
      const before = server.db.statements;
      await compare({ filter });
      return server.db.statements - before;
    };
    expect(await statementsFor({ ids: [ids.a] })).toBe(1);
    expect(await statementsFor({})).toBe(1);
  });
});
