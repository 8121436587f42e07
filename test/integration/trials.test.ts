import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASK, CREATE_STUDY, ENQUEUE, PRUNE, REPORT, SUGGEST, TELL } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const SPACE = [
  { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true },
  { name: "layers", type: "INT", low: 1, high: 6 },
  { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop"] },
  { name: "momentum", type: "FLOAT", low: 0, high: 0.99, condition: { param: "optimizer", values: ["sgd"] } },
];

let studyCount = 0;
async function newStudy(extra: Record<string, unknown> = {}): Promise<string> {
  const input = { name: `trials-${studyCount++}`, searchSpace: SPACE, sampler: { type: "RANDOM", seed: 1 }, ...extra };
  return (await server.ok(CREATE_STUDY, { input })).createStudy.id;
}
const ask = async (studyId: string) => (await server.ok(ASK, { studyId })).askTrial;
async function errorOf(query: string, variables: Record<string, unknown>) {
  const body = await server.gql(query, variables);
  expect(body.errors, JSON.stringify(body.data)).toBeDefined();
  return body.errors![0];
}

describe("askTrial", () => {
  it("samples every active declared parameter inside its range", async () => {
    const studyId = await newStudy();
    for (let i = 0; i < 30; i++) {
      const t = await ask(studyId);
      expect(t.state).toBe("RUNNING");
      expect(t.params.lr).toBeGreaterThanOrEqual(1e-5);
      expect(t.params.lr).toBeLessThanOrEqual(1);
      expect(Number.isInteger(t.params.layers)).toBe(true);
      expect(["adam", "sgd", "rmsprop"]).toContain(t.params.optimizer);
      expect("momentum" in t.params).toBe(t.params.optimizer === "sgd");
    }
  });

  it("gives 16 concurrent askers numbers 0..15 with no gaps or duplicates", async () => {
    const studyId = await newStudy();
    const trials = await Promise.all(Array.from({ length: 16 }, () => ask(studyId)));
    expect(trials.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    const next = await ask(studyId);
    expect(next.number).toBe(16);
  });

  it("answers a repeated askKey with the trial its first ask started", async () => {
    const studyId = await newStudy();
    const ASK_KEYED = `mutation($studyId: ID!, $askKey: String) { askTrial(studyId: $studyId, askKey: $askKey) { id number } }`;
    const first = (await server.ok(ASK_KEYED, { studyId, askKey: "k-1" })).askTrial;
    const again = (await server.ok(ASK_KEYED, { studyId, askKey: "k-1" })).askTrial;
    expect(again).toEqual(first);
    expect((await server.ok(ASK_KEYED, { studyId, askKey: "k-2" })).askTrial.number).toBe(first.number + 1);
  });

  it("takes WAITING trials from enqueueTrial first, keeping their fixed values", async () => {
    const studyId = await newStudy();
    const queued = (await server.ok(ENQUEUE, { studyId, params: { lr: 0.01, optimizer: "sgd" } })).enqueueTrial;
    expect(queued.state).toBe("WAITING");
    expect(queued.number).toBe(0);
    const first = await ask(studyId);
    expect(first.id).toBe(queued.id);
    expect(first.params.lr).toBe(0.01);
    expect(first.params.optimizer).toBe("sgd");
    expect(first.params).toHaveProperty("layers");
    expect(first.params).toHaveProperty("momentum");
    expect((await ask(studyId)).number).toBe(1);
  });

  it("refuses enqueued values outside the declared range and unknown studies", async () => {
    const studyId = await newStudy();
    const e1 = await errorOf(ENQUEUE, { studyId, params: { layers: 9 } });
    expect(e1.extensions?.code).toBe("BAD_USER_INPUT");
    expect(e1.extensions?.field).toBe("params.layers");
    const e2 = await errorOf(ASK, { studyId: "987654" });
    expect(e2.extensions?.code).toBe("NOT_FOUND");
  });
});

describe("tellTrial", () => {
  it("completes a trial once; a second tell is CONFLICT and changes nothing", async () => {
    const t = await ask(await newStudy());
    const told = (await server.ok(TELL, { trialId: t.id, state: "COMPLETE", values: [0.25] })).tellTrial;
    expect(told.state).toBe("COMPLETE");
    expect(told.values).toEqual([0.25]);
    expect(told.completedAt).toBeTruthy();
    const again = await errorOf(TELL, { trialId: t.id, state: "COMPLETE", values: [0.1] });
    expect(again.extensions?.code).toBe("CONFLICT");
    expect(again.message).toMatch(/already COMPLETE/);
    const stored = (await server.ok(`query($id: ID!) { trial(id: $id) { values } }`, { id: t.id })).trial;
    expect(stored.values).toEqual([0.25]);
  });

  it("needs one finite value per direction", async () => {
    const studyId = await newStudy({ directions: ["MINIMIZE", "MAXIMIZE"] });
    const t = await ask(studyId);
    const wrongCount = await errorOf(TELL, { trialId: t.id, state: "COMPLETE", values: [1] });
    expect(wrongCount.extensions?.code).toBe("BAD_USER_INPUT");
    expect(wrongCount.message).toMatch(/2 direction/);
    const missing = await errorOf(TELL, { trialId: t.id, state: "COMPLETE" });
    expect(missing.extensions?.code).toBe("BAD_USER_INPUT");
    // JSON cannot carry NaN; 1e999 parses to Infinity and must be refused.
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"query": ${JSON.stringify(TELL)}, "variables": {"trialId": "${t.id}", "state": "COMPLETE", "values": [1e999, 1]}}`,
    });
    const body: any = await response.json();
    expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await server.ok(TELL, { trialId: t.id, state: "COMPLETE", values: [1, 2] })).tellTrial.state).toBe("COMPLETE");
  });

  it("a PRUNED trial keeps its last intermediate value; FAIL takes no values; WAITING cannot be told", async () => {
    const studyId = await newStudy();
    const t = await ask(studyId);
    await server.ok(REPORT, { trialId: t.id, points: [{ step: 1, value: 0.9 }, { step: 3, value: 0.7 }, { step: 2, value: 0.8 }] });
    expect((await server.ok(TELL, { trialId: t.id, state: "PRUNED" })).tellTrial.values).toEqual([0.7]);
    const f = await ask(studyId);
    expect((await errorOf(TELL, { trialId: f.id, state: "FAIL", values: [1] })).extensions?.code).toBe("BAD_USER_INPUT");
    expect((await server.ok(TELL, { trialId: f.id, state: "FAIL" })).tellTrial.values).toBeNull();
    // Pruned before any report: no value to keep. A FAIL keeps its reason.
    const early = await ask(studyId);
    expect((await server.ok(TELL, { trialId: early.id, state: "PRUNED" })).tellTrial).toMatchObject({ state: "PRUNED", values: null });
    const failing = await ask(studyId);
    const told = await server.ok(`mutation($t: ID!) { tellTrial(trialId: $t, state: FAIL, reason: " out of memory ") { state values failReason } }`, { t: failing.id });
    expect(told.tellTrial).toEqual({ state: "FAIL", values: null, failReason: "out of memory" });
    const w = (await server.ok(ENQUEUE, { studyId, params: {} })).enqueueTrial;
    expect((await errorOf(TELL, { trialId: w.id, state: "COMPLETE", values: [1] })).extensions?.code).toBe("CONFLICT");
    expect((await errorOf(TELL, { trialId: t.id, state: "RUNNING" })).extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("lets exactly one of many concurrent tells win", async () => {
    const t = await ask(await newStudy());
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => server.gql(TELL, { trialId: t.id, state: "COMPLETE", values: [i] })),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === "CONFLICT").length).toBe(7);
  });
});

describe("reportMetrics", () => {
  it("is idempotent per (trial, name, step) and keeps names apart", async () => {
    const t = await ask(await newStudy());
    const points = [
      { step: 0, value: 2 },
      { step: 1, value: 1.5 },
      { name: "accuracy", step: 0, value: 0.3 },
    ];
    await server.ok(REPORT, { trialId: t.id, points });
    await server.ok(REPORT, { trialId: t.id, points }); // a retried request
    await server.ok(REPORT, { trialId: t.id, points: [{ step: 1, value: 99 }, { step: 2, value: 1.1 }] });
    const { trial } = await server.ok(
      `query($id: ID!) { trial(id: $id) { intermediateValues { step value } metrics { name points { step value time } } } }`,
      { id: t.id },
    );
    expect(trial.intermediateValues).toEqual([
      { step: 0, value: 2 },
      { step: 1, value: 1.5 },
      { step: 2, value: 1.1 },
    ]);
    const byName = Object.fromEntries(trial.metrics.map((s: any) => [s.name, s.points.map((p: any) => p.value)]));
    expect(byName).toEqual({ accuracy: [0.3], objective: [2, 1.5, 1.1] });
    expect(Number.isNaN(Date.parse(trial.metrics[0].points[0].time))).toBe(false);
  });

  it("refuses bad points with the index of the point, and stores none of the batch", async () => {
    const t = await ask(await newStudy());
    const bad = [
      [{ step: 0, value: 1 }, { step: -1, value: 1 }],
      [{ step: 0, value: 1 }, { name: "", step: 1, value: 1 }],
      [{ step: 0, value: 1 }, { step: 0, value: 2 }],
    ];
    for (const points of bad) {
      const e = await errorOf(REPORT, { trialId: t.id, points });
      expect(e.extensions?.code).toBe("BAD_USER_INPUT");
      expect(e.extensions?.field).toMatch(/^points\[1\]/);
    }
    expect((await errorOf(REPORT, { trialId: t.id, points: [] })).extensions?.code).toBe("BAD_USER_INPUT");
    const { trial } = await server.ok(`query($id: ID!) { trial(id: $id) { metrics { name } } }`, { id: t.id });
    expect(trial.metrics).toEqual([]);
  });

  it("refuses points for finished trials with CONFLICT", async () => {
    const t = await ask(await newStudy());
    await server.ok(TELL, { trialId: t.id, state: "COMPLETE", values: [1] });
    const e = await errorOf(REPORT, { trialId: t.id, points: [{ step: 0, value: 1 }] });
    expect(e.extensions?.code).toBe("CONFLICT");
    expect((await errorOf(REPORT, { trialId: "4242424", points: [{ step: 0, value: 1 }] })).extensions?.code).toBe("NOT_FOUND");
  });

  it("stores every point exactly once under concurrent reporters of one trial", async () => {
    const t = await ask(await newStudy());
    await Promise.all(
      Array.from({ length: 10 }, (_, w) =>
        server.ok(REPORT, {
          trialId: t.id,
          points: Array.from({ length: 20 }, (_, i) => ({ name: i % 2 ? "loss" : "acc", step: (w * 7 + i) % 50, value: i })),
        }),
      ),
    );
    const rows = await server.db.query<{ name: string; n: string; d: string }>(
      `SELECT ms.name, count(*) AS n, count(DISTINCT p.step) AS d FROM metric_series ms CROSS JOIN LATERAL series_points(ms.id) p
       WHERE ms.trial_id = $1 GROUP BY ms.name`,
      [t.id],
    );
    for (const r of rows) expect(r.n).toBe(r.d);
    expect(rows.map((r) => r.name).sort()).toEqual(["acc", "loss"]);
  });
});

describe("suggestParam and pruneTrial", () => {
  it("samples define-by-run parameters once per name and refuses a changed distribution", async () => {
    const studyId = (await server.ok(CREATE_STUDY, { input: { name: "define-by-run", sampler: { type: "RANDOM" } } })).createStudy.id;
    const t = await ask(studyId);
    const spec = { name: "units", type: "INT", low: 16, high: 512, log: true };
    const v1 = (await server.ok(SUGGEST, { trialId: t.id, spec })).suggestParam;
    const v2 = (await server.ok(SUGGEST, { trialId: t.id, spec })).suggestParam;
    expect(v1).toBe(v2);
    expect(v1).toBeGreaterThanOrEqual(16);
    expect(v1).toBeLessThanOrEqual(512);
    const changed = await errorOf(SUGGEST, { trialId: t.id, spec: { ...spec, high: 1024 } });
    expect(changed.extensions?.code).toBe("BAD_USER_INPUT");
    const invalid = await errorOf(SUGGEST, { trialId: t.id, spec: { name: "x", type: "FLOAT", low: 1, high: 0 } });
    expect(invalid.extensions?.field).toBe("spec.low");
    const { trial } = await server.ok(`query($id: ID!) { trial(id: $id) { params } }`, { id: t.id });
    expect(trial.params).toEqual({ units: v1 });
  });

  it("uses an enqueued value for a define-by-run parameter when it fits", async () => {
    const studyId = (await server.ok(CREATE_STUDY, { input: { name: "dbr-fixed" } })).createStudy.id;
    await server.ok(ENQUEUE, { studyId, params: { dropout: 0.25, width: 5000 } });
    const t = await ask(studyId);
    expect((await server.ok(SUGGEST, { trialId: t.id, spec: { name: "dropout", type: "FLOAT", low: 0, high: 0.6 } })).suggestParam).toBe(0.25);
    const e = await errorOf(SUGGEST, { trialId: t.id, spec: { name: "width", type: "INT", low: 1, high: 100 } });
    expect(e.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("prunes a running trial from outside, keeping its last value; then reports are CONFLICT", async () => {
    const t = await ask(await newStudy());
    await server.ok(REPORT, { trialId: t.id, points: [{ step: 0, value: 3 }, { step: 1, value: 2.5 }] });
    const pruned = (await server.ok(PRUNE, { trialId: t.id, reason: "curve is flat" })).pruneTrial;
    expect(pruned).toMatchObject({ state: "PRUNED", values: [2.5], pruneReason: "curve is flat" });
    expect((await errorOf(REPORT, { trialId: t.id, points: [{ step: 2, value: 1 }] })).extensions?.code).toBe("CONFLICT");
    expect((await errorOf(PRUNE, { trialId: t.id })).extensions?.code).toBe("CONFLICT");
    expect((await errorOf(SUGGEST, { trialId: t.id, spec: { name: "a", type: "INT", low: 0, high: 1 } })).extensions?.code).toBe("CONFLICT");
  });
});
