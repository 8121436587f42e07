import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASK, CREATE_STUDY, REPORT, TELL } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function studyWithTrials(name: string, values: number[], extra: Record<string, unknown> = {}) {
  const studyId = (await server.ok(CREATE_STUDY, { input: { name, sampler: { type: "RANDOM", seed: 1 }, ...extra } })).createStudy.id;
  const ids: string[] = [];
  for (const v of values) {
    const t = (await server.ok(ASK, { studyId })).askTrial;
    await server.ok(REPORT, { trialId: t.id, points: [0, 1, 2].map((step) => ({ step, value: v + 1 / (step + 1) })) });
    await server.ok(TELL, { trialId: t.id, state: "COMPLETE", values: [v] });
    ids.push(t.id);
  }
  return { studyId, ids };
}

describe("dashboard queries", () => {
  it("reads many studies with their trials and curves in a constant number of SQL statements", async () => {
    for (let s = 0; s < 6; s++) await studyWithTrials(`n-plus-one-${s}`, [3, 1, 2, 5]);
    const query = `{ studies(first: 50, nameContains: "n-plus-one") { edges { node {
        name trialCount completed: trialCount(states: [COMPLETE]) bestTrial { number values }
        trials(first: 10) { totalCount edges { node { number intermediateValues { step value } metrics(maxPoints: 2) { name points { step } } study { name } } } }
      } } } }`;
    server.db.statements = 0;
    const { studies } = await server.ok(query);
    const statements = server.db.statements;
    expect(studies.edges).toHaveLength(6);
    for (const { node } of studies.edges) {
      expect(node.trialCount).toBe(4);
      expect(node.completed).toBe(4);
      expect(node.bestTrial).toEqual({ number: 1, values: [1] });
      expect(node.trials.edges).toHaveLength(4);
      expect(node.trials.edges[0].node.intermediateValues).toHaveLength(3);
      expect(node.trials.edges[0].node.metrics[0].points).toEqual([{ step: 0 }, { step: 2 }]);
    }
    // studies + count, trial counts, best trials, trial pages, curves, downsampled series, studies of trials
    expect(statements).toBeLessThanOrEqual(8);
  });

  it("pages through a study's trials by number, filtered by state", async () => {
    const { studyId } = await studyWithTrials("paging", [5, 4, 3, 2, 1]);
    const t = (await server.ok(ASK, { studyId })).askTrial;
    const numbers: number[] = [];
    let after: string | null = null;
    do {
      const { study }: any = await server.ok(
        `query($id: ID, $after: String) { study(id: $id) { trials(first: 2, after: $after, states: [COMPLETE]) {
          totalCount edges { node { number state } } pageInfo { hasNextPage endCursor } } } }`,
        { id: studyId, after },
      );
      expect(study.trials.totalCount).toBe(5);
      numbers.push(...study.trials.edges.map((e: any) => e.node.number));
      after = study.trials.pageInfo.hasNextPage ? study.trials.pageInfo.endCursor : null;
    } while (after);
    expect(numbers).toEqual([0, 1, 2, 3, 4]);
    const running = await server.ok(`query($id: ID) { study(id: $id) { trials(states: [RUNNING]) { edges { node { id } } } } }`, { id: studyId });
    expect(running.study.trials.edges.map((e: any) => e.node.id)).toEqual([t.id]);
  });

  it("answers the best trial by direction and the Pareto front of multi-objective studies", async () => {
    const { studyId } = await studyWithTrials("maximize", [0.2, 0.9, 0.5], { directions: ["MAXIMIZE"] });
    const best = await server.ok(`query($id: ID) { study(id: $id) { bestTrial { values } bestTrials { values } } }`, { id: studyId });
    expect(best.study.bestTrial.values).toEqual([0.9]);
    expect(best.study.bestTrials).toEqual([{ values: [0.9] }]);

    const mo = (await server.ok(CREATE_STUDY, { input: { name: "pareto", directions: ["MINIMIZE", "MAXIMIZE"] } })).createStudy.id;
    const points = [[1, 1], [2, 3], [3, 2], [0.5, 0.5], [2, 3]];
    for (const values of points) {
      const t = (await server.ok(ASK, { studyId: mo })).askTrial;
      await server.ok(TELL, { trialId: t.id, state: "COMPLETE", values });
    }
    const front = await server.ok(`query($id: ID) { study(id: $id) { bestTrial { number } bestTrials { number values } } }`, { id: mo });
    expect(front.study.bestTrial).toBeNull();
    expect(front.study.bestTrials.map((t: any) => t.number)).toEqual([0, 1, 3, 4]);
  });

  it("downsamples long series to maxPoints keeping the ends and the extremes", async () => {
    const studyId = (await server.ok(CREATE_STUDY, { input: { name: "long-curve" } })).createStudy.id;
    const t = (await server.ok(ASK, { studyId })).askTrial;
    const points = Array.from({ length: 2000 }, (_, step) => ({ step, value: Math.exp(-step / 400) + (step === 1234 ? 5 : 0) }));
    await server.ok(REPORT, { trialId: t.id, points });
    const { trial } = await server.ok(`query($id: ID!) { trial(id: $id) { metrics(maxPoints: 100) { points { step value } } full: metrics { points { step } } } }`, { id: t.id });
    const sampled = trial.metrics[0].points;
    expect(sampled).toHaveLength(100);
    expect(sampled[0].step).toBe(0);
    expect(sampled.at(-1).step).toBe(1999);
    expect(sampled.some((p: any) => p.step === 1234)).toBe(true);
    expect(trial.full[0].points).toHaveLength(2000);
    const e = await server.gql(`query($id: ID!) { trial(id: $id) { metrics(maxPoints: 1) { name } } }`, { id: t.id });
    expect(e.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });
});
