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

const SPACE = [{ name: "x", type: "FLOAT", low: 0, high: 1 }];
const curve = (level: number, steps: number) => Array.from({ length: steps }, (_, step) => ({ step, value: level + 1 / (step + 1) }));

describe("pruning through reportMetrics", () => {
  it("answers the study pruner's decision for the objective metric and records the reason", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, {
      input: { name: "median", searchSpace: SPACE, sampler: { type: "RANDOM" }, pruner: { type: "MEDIAN", options: { nStartupTrials: 3 } } },
    });
    for (let i = 0; i < 3; i++) {
      const t = (await server.ok(ASK, { studyId: createStudy.id })).askTrial;
      expect((await server.ok(REPORT, { trialId: t.id, points: curve(0, 5) })).reportMetrics.shouldPrune).toBe(false);
      await server.ok(TELL, { trialId: t.id, state: "COMPLETE", values: [0.2] });
    }
    const good = (await server.ok(ASK, { studyId: createStudy.id })).askTrial;
    expect((await server.ok(REPORT, { trialId: good.id, points: [{ step: 0, value: 0.5 }] })).reportMetrics.shouldPrune).toBe(false);

    const bad = (await server.ok(ASK, { studyId: createStudy.id })).askTrial;
    // Other metrics never trigger the pruner.
    expect((await server.ok(REPORT, { trialId: bad.id, points: [{ name: "accuracy", step: 0, value: 0 }] })).reportMetrics.shouldPrune).toBe(false);
    const decision = (await server.ok(REPORT, { trialId: bad.id, points: [{ step: 0, value: 50 }] })).reportMetrics;
    expect(decision.shouldPrune).toBe(true);
    expect(decision.reason.length).toBeGreaterThan(10);
    const told = (await server.ok(`mutation($t: ID!) { tellTrial(trialId: $t, state: PRUNED) { state values pruneReason } }`, { t: bad.id })).tellTrial;
    expect(told).toEqual({ state: "PRUNED", values: [50], pruneReason: decision.reason });
  });

  it("decides a batch step by step, so a trial cannot jump past a checkpoint", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, {
      input: { name: "median-batch", searchSpace: SPACE, sampler: { type: "RANDOM" }, pruner: { type: "MEDIAN", options: { nStartupTrials: 1 } } },
    });
    const first = (await server.ok(ASK, { studyId: createStudy.id })).askTrial;
    await server.ok(REPORT, { trialId: first.id, points: curve(0, 3) });
    await server.ok(TELL, { trialId: first.id, state: "COMPLETE", values: [0.3] });
    const t = (await server.ok(ASK, { studyId: createStudy.id })).askTrial;
    // Bad at step 0, best of all by step 1: judged at step 0 it is pruned, though judged on the
    // whole batch at its last step (best value so far 0) it would not be.
    const points = [{ step: 0, value: 5 }, { step: 1, value: 0 }];
    expect((await server.ok(REPORT, { trialId: t.id, points })).reportMetrics.shouldPrune).toBe(true);
  });

  it("refuses bad pruner options naming the option", async () => {
    const body = await server.gql(CREATE_STUDY, { input: { name: "bad-pruner", pruner: { type: "PERCENTILE", options: { percentile: 150 } } } });
    expect(body.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0].extensions?.field).toBe("input.pruner.options.percentile");
  });

  /**
   * Runs `n` trials whose curves at steps 1..9 are (x - 0.3)^2 + 1/step, each stopping when
   * reportMetrics says so; the x of each trial and how many were pruned.
   */
  async function runCurves(studyId: string, n: number): Promise<{ xs: number[]; pruned: number }> {
    const xs: number[] = [];
    let pruned = 0;
    for (let i = 0; i < n; i++) {
      const t = (await server.ok(ASK, { studyId })).askTrial;
      xs.push(t.params.x);
      let stopped = false;
      for (let step = 1; step <= 9 && !stopped; step++) {
        const value = (t.params.x - 0.3) ** 2 + 1 / step;
        stopped = (await server.ok(REPORT, { trialId: t.id, points: [{ step, value }] })).reportMetrics.shouldPrune;
      }
      if (stopped) pruned++;
      await server.ok(TELL, stopped ? { trialId: t.id, state: "PRUNED" } : { trialId: t.id, state: "COMPLETE", values: [(t.params.x - 0.3) ** 2] });
    }
    return { xs, pruned };
  }

  it("samples with TPE under HYPERBAND and multi-fidelity options, within bounds", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, {
      input: {
        name: "bohb",
        searchSpace: SPACE,
        sampler: { type: "TPE", seed: 2, options: { multiFidelity: { minObservations: 3 } } },
        pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: 9, reductionFactor: 3 } },
      },
    });
    const { xs, pruned } = await runCurves(createStudy.id, 25);
    for (const x of xs) expect(x >= 0 && x <= 1).toBe(true);
    expect(pruned).toBeGreaterThan(0);
    const bad = await server.gql(CREATE_STUDY, { input: { name: "bad-mf", sampler: { type: "TPE", options: { multiFidelity: { minObs: 1 } } } } });
    expect(bad.errors?.[0].extensions?.field).toBe("input.sampler.options.multiFidelity.minObs");
  });

  it("samples with the GP's joint multi-fidelity model under SUCCESSIVE_HALVING, and learns from pruned trials", async () => {
    const { createStudy } = await server.ok(CREATE_STUDY, {
      input: {
        name: "mobster",
        searchSpace: SPACE,
        sampler: { type: "GP", seed: 3, options: { nStartupTrials: 5, multiFidelity: { model: "joint" } } },
        pruner: { type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3 } },
      },
    });
    const { xs, pruned } = await runCurves(createStudy.id, 20);
    // Half the trials are pruned, yet the model (which counts them) homes in on the minimum.
    expect(pruned).toBeGreaterThanOrEqual(8);
    const late = xs.slice(-10).map((x) => Math.abs(x - 0.3)).sort((a, b) => a - b);
    expect(late[5]).toBeLessThan(0.1);

    const tpe = await server.gql(CREATE_STUDY, { input: { name: "bad-joint", sampler: { type: "TPE", options: { multiFidelity: { model: "joint" } } } } });
    expect(tpe.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(tpe.errors?.[0].extensions?.field).toBe("input.sampler.options.multiFidelity.model");
    expect(tpe.errors?.[0].message).toMatch(/needs the GP sampler/);
  });
});
