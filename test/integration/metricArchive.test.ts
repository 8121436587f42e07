import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StreamQueries } from "../../server/src/events/streamQueries";
import { ASK, CREATE_STUDY, PRUNE, REPORT, TELL } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

// A finished trial's series move from rows (metric_points) to arrays (metric_archive). Every
// reader must see the same points, at the same microsecond, before and after.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

let studyCount = 0;
async function newStudy(): Promise<string> {
  const input = { name: `archive-${studyCount++}`, searchSpace: [{ name: "x", type: "FLOAT", low: 0, high: 1 }] };
  return (await server.ok(CREATE_STUDY, { input })).createStudy.id;
}
const ask = async (studyId: string): Promise<string> => (await server.ok(ASK, { studyId })).askTrial.id;

const TRIAL = `query($id: ID!) { trial(id: $id) {
  state values intermediateValues { step value }
  metrics { name points { step value time } }
  accuracy: metrics(names: ["accuracy"], maxPoints: 3) { name points { step value } }
} }`;

/** Where a trial's points are stored: rows per series and array lengths per series. */
async function storage(trialId: string): Promise<{ rows: number; arrays: Record<string, number[]> }> {
  const [{ n }] = await server.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM metric_points p JOIN metric_series ms ON ms.id = p.series_id WHERE ms.trial_id = $1`,
    [trialId],
  );
  const archived = await server.db.query<{ name: string; steps: number[] }>(
    `SELECT ms.name, a.steps FROM metric_archive a JOIN metric_series ms ON ms.id = a.series_id WHERE ms.trial_id = $1 ORDER BY ms.name`,
    [trialId],
  );
  return { rows: Number(n), arrays: Object.fromEntries(archived.map((a) => [a.name, a.steps])) };
}

/** Reports steps in a shuffled order over several calls, two series, so storage order differs from step order. */
async function reportCurves(trialId: string): Promise<void> {
  for (const steps of [[4, 0, 2], [1, 3], [6, 5]]) {
    await server.ok(REPORT, { trialId, points: steps.map((step) => ({ step, value: 1 / (step + 1) })) });
    await server.ok(REPORT, { trialId, points: steps.map((step) => ({ name: "accuracy", step, value: step / 10 })) });
  }
}

describe("archiving a finished trial's metrics", () => {
  it("moves each series into one row of arrays ordered by step, and every query answers as before", async () => {
    const trialId = await ask(await newStudy());
    await reportCurves(trialId);
    const running = (await server.ok(TRIAL, { id: trialId })).trial;
    expect(await storage(trialId)).toEqual({ rows: 14, arrays: {} });
    expect(running.intermediateValues.map((p: any) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);

    await server.ok(TELL, { trialId, state: "COMPLETE", values: [0.5] });
    expect(await storage(trialId)).toEqual({ rows: 0, arrays: { accuracy: [0, 1, 2, 3, 4, 5, 6], objective: [0, 1, 2, 3, 4, 5, 6] } });
    const finished = (await server.ok(TRIAL, { id: trialId })).trial;
    expect(finished.state).toBe("COMPLETE");
    // Times to the microsecond, downsampling and intermediate values: all unchanged.
    expect({ ...finished, state: running.state, values: running.values }).toEqual(running);
  });

  it("archives on every way a trial ends: pruneTrial keeps the last value, FAIL keeps the curve", async () => {
    const studyId = await newStudy();
    const pruned = await ask(studyId);
    await reportCurves(pruned);
    const p = (await server.ok(PRUNE, { trialId: pruned, reason: "slow" })).pruneTrial;
    expect(p).toMatchObject({ state: "PRUNED", values: [1 / 7] });
    expect((await storage(pruned)).rows).toBe(0);
    expect(Object.keys((await storage(pruned)).arrays)).toEqual(["accuracy", "objective"]);

    const failed = await ask(studyId);
    await server.ok(REPORT, { trialId: failed, points: [{ step: 0, value: 3 }] });
    await server.ok(TELL, { trialId: failed, state: "FAIL" });
    expect(await storage(failed)).toEqual({ rows: 0, arrays: { objective: [0] } });
    const { trial } = await server.ok(TRIAL, { id: failed });
    expect(trial.intermediateValues).toEqual([{ step: 0, value: 3 }]);
  });

  it("leaves a finished trial without reports with nothing archived, and refuses its late reports", async () => {
    const trialId = await ask(await newStudy());
    await server.ok(TELL, { trialId, state: "COMPLETE", values: [1] });
    expect(await storage(trialId)).toEqual({ rows: 0, arrays: {} });
    const late = await server.gql(REPORT, { trialId, points: [{ step: 0, value: 1 }] });
    expect(late.errors?.[0].extensions?.code).toBe("CONFLICT");
    expect(await storage(trialId)).toEqual({ rows: 0, arrays: {} });
  });

  it("finds an archived report by its exact microsecond, as a subscriber resolving a large event does", async () => {
    const studyId = await newStudy();
    const trialId = await ask(studyId);
    await server.ok(REPORT, { trialId, points: [{ step: 0, value: 1 }] });
    await server.ok(REPORT, { trialId, points: [{ step: 1, value: 2 }, { name: "accuracy", step: 1, value: 0.5 }] });
    const [{ us }] = await server.db.query<{ us: string }>(
      `SELECT (extract(epoch FROM p.time) * 1000000)::int8 AS us
       FROM metric_series ms CROSS JOIN LATERAL series_points(ms.id) p WHERE ms.trial_id = $1 AND p.step = 1 LIMIT 1`,
      [trialId],
    );
    await server.ok(TELL, { trialId, state: "COMPLETE", values: [2] });
    const queries = new StreamQueries(server.db, server.services.trialQueries);
    const event = await queries.resolveReference({ kind: "metrics", studyId, trialId, reportedUs: us });
    expect(event).toEqual({
      type: "metricsReported",
      studyId,
      trialId,
      reportedUs: us,
      series: [
        { name: "accuracy", steps: [1], values: [0.5] },
        { name: "objective", steps: [1], values: [2] },
      ],
    });
  });
});
