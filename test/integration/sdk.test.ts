import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadUserInputError,
  ConflictError,
  Graphtune,
  GraphtuneClient,
  GraphtuneError,
  NotFoundError,
  TrialPruned,
  categoricalParam,
  floatParam,
  intParam,
  type Trial,
} from "../../client-sdk/src";
import { GetStudyDocument } from "../../client-sdk/src/generated/graphql";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${seq++}`;

/** A Graphtune whose fetch counts the operations it sends, by their first field. */
function countingGraphtune(): { gt: Graphtune; sent: Map<string, number> } {
  const sent = new Map<string, number>();
  const fetchCounting: typeof fetch = async (input, init) => {
    const field = /\{\s*(\w+)/.exec(JSON.parse(String(init?.body)).query)?.[1] ?? "?";
    sent.set(field, (sent.get(field) ?? 0) + 1);
    return fetch(input, init);
  };
  return { gt: new Graphtune({ url: server.url, fetch: fetchCounting }), sent };
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe("a declared search space", () => {
  it("takes one askTrial and one tellTrial per trial, reads suggestions locally, and respects ranges", async () => {
    const { gt, sent } = countingGraphtune();
    const study = await gt.createStudy({
      name: unique("declared"),
      direction: "minimize",
      sampler: { type: "RANDOM", seed: 3 },
      searchSpace: [
        floatParam("lr", 1e-5, 1e-1, { log: true }),
        intParam("layers", 1, 4),
        floatParam("dropout", 0, 0.5, { step: 0.1 }),
        categoricalParam("optimizer", ["adam", "sgd"]),
      ],
    });
    const seen: Record<string, unknown>[] = [];
    await study.optimize(
      async (trial) => {
        const lr = await trial.suggestFloat("lr", 1e-5, 1e-1, { log: true });
        const layers = await trial.suggestInt("layers", 1, 4);
        const dropout = await trial.suggestFloat("dropout", 0, 0.5, { step: 0.1 });
        const optimizer = await trial.suggestCategorical("optimizer", ["adam", "sgd"]);
        seen.push({ lr, layers, dropout, optimizer });
        return (Math.log10(lr) + 3) ** 2 + layers + dropout + (optimizer === "adam" ? 0 : 1);
      },
      { nTrials: 12, concurrency: 4 },
    );
    expect(sent.get("askTrial")).toBe(12);
    expect(sent.get("tellTrial")).toBe(12);
    expect(sent.get("suggestParam")).toBeUndefined();
    for (const p of seen as { lr: number; layers: number; dropout: number; optimizer: string }[]) {
      expect(p.lr).toBeGreaterThanOrEqual(1e-5);
      expect(p.lr).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(p.layers) && p.layers >= 1 && p.layers <= 4).toBe(true);
      expect(Math.abs(p.dropout * 10 - Math.round(p.dropout * 10))).toBeLessThan(1e-9);
      expect(["adam", "sgd"]).toContain(p.optimizer);
    }
    // optimize refreshed the snapshot: the best trial is the smallest value told.
    const trials = await study.getTrials();
    expect(trials.map((t) => t.number).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(trials.every((t) => t.state === "COMPLETE")).toBe(true);
    const min = Math.min(...trials.map((t) => t.values![0]));
    expect(study.bestValue).toBe(min);
    expect(study.bestTrial?.values).toEqual([min]);
    expect(study.trialCount).toBe(12);
  });

  it("asks the server for a declared name requested with another range, which refuses it", async () => {
    const gt = new Graphtune({ url: server.url });
    const study = await gt.createStudy({ name: unique("mismatch"), searchSpace: [floatParam("x", 0, 1)] });
    const trial = await study.ask();
    const failure = await trial.suggestFloat("x", 0, 2).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BadUserInputError);
    expect(failure).toMatchObject({ code: "BAD_USER_INPUT", field: "spec" });
    expect(await trial.suggestFloat("x", 0, 1)).toBe(trial.params.x);
  });
});

describe("define-by-run", () => {
  it("samples each new name with one suggestParam call and repeats a name's value without one", async () => {
    const { gt, sent } = countingGraphtune();
    const study = await gt.createStudy({ name: unique("dbr"), sampler: { type: "RANDOM", seed: 1 } });
    const kinds: string[] = [];
    await study.optimize(
      async (trial) => {
        const kind = await trial.suggestCategorical("kind", ["linear", "tree"]);
        kinds.push(kind);
        // Conditional parameters are plain code.
        const x = kind === "linear" ? await trial.suggestFloat("alpha", 1e-3, 1, { log: true }) : await trial.suggestInt("depth", 2, 8);
        expect(await trial.suggestCategorical("kind", ["linear", "tree"])).toBe(kind);
        return x;
      },
      { nTrials: 8 },
    );
    expect(sent.get("suggestParam")).toBe(16);
    const trials = await study.getTrials();
    for (const t of trials) {
      const params = t.params as Record<string, number | string>;
      if (params.kind === "linear") expect(Object.keys(params).sort()).toEqual(["alpha", "kind"]);
      else expect(params.depth).toBeGreaterThanOrEqual(2);
    }
  });
});

describe("pruning", () => {
  it("report throws TrialPruned when the pruner says so; optimize tells the trial PRUNED", async () => {
    const gt = new Graphtune({ url: server.url });
    const study = await gt.createStudy({
      name: unique("prune"),
      searchSpace: [floatParam("x", 0, 10)],
      sampler: { type: "RANDOM", seed: 5 },
      pruner: { type: "THRESHOLD", options: { upper: 5 } },
    });
    let prunedSeen = 0;
    await study.optimize(
      async (trial) => {
        const x = await trial.suggestFloat("x", 0, 10);
        try {
          for (let step = 0; step < 3; step++) await trial.report(x + step, step);
        } catch (error) {
          expect(error).toBeInstanceOf(TrialPruned);
          expect(trial.shouldPrune()).toBe(true);
          prunedSeen++;
          throw error;
        }
        expect(trial.shouldPrune()).toBe(false);
        return x;
      },
      { nTrials: 10 },
    );
    const trials = await study.getTrials();
    const pruned = trials.filter((t) => t.state === "PRUNED");
    expect(pruned.length).toBe(prunedSeen);
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) expect(t.intermediateValues!.at(-1)!.value).toBeGreaterThan(5);
    for (const t of trials.filter((t) => t.state === "COMPLETE")) expect(t.intermediateValues!.map((p) => p.step)).toEqual([0, 1, 2]);
  });

  it("surfaces a prune from outside (pruneTrial) as TrialPruned at the next report", async () => {
    const gt = new Graphtune({ url: server.url });
    const study = await gt.createStudy({ name: unique("outside"), searchSpace: [floatParam("x", 0, 1)] });
    await study.optimize(
      async (trial) => {
        await trial.report(1, 0);
        await study.pruneTrial(trial.id, "looks flat");
        const error = await trial.report(0.5, 1).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TrialPruned);
        expect((error as TrialPruned).reason).toBe("looks flat");
        throw error;
      },
      { nTrials: 1 },
    );
    const [t] = await study.getTrials();
    expect(t).toMatchObject({ state: "PRUNED", pruneReason: "looks flat", values: [1] });
  });
});

describe("ask, tell and enqueue", () => {
  it("takes enqueued trials first and tells by hand, with typed conflicts", async () => {
    const gt = new Graphtune({ url: server.url });
    const study = await gt.createStudy({ name: unique("enqueue"), searchSpace: [floatParam("x", 0, 1), intParam("n", 1, 3)] });
    await study.enqueueTrial({ x: 0.25 });
    const first = await study.ask();
    expect(first.number).toBe(0);
    expect(await first.suggestFloat("x", 0, 1)).toBe(0.25);
    expect([1, 2, 3]).toContain(await first.suggestInt("n", 1, 3));
    await first.log({ loss: 0.4, accuracy: 0.8 }, 0);
    expect(await study.tell(first, 0.4)).toMatchObject({ number: 0, state: "COMPLETE", values: [0.4] });
    const again = await study.tell(first, 0.3).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({ code: "CONFLICT", field: "trialId" });
    const second = await study.ask();
    expect(await study.tell(second.id, null, "FAIL")).toMatchObject({ number: 1, state: "FAIL", values: null });
    expect((await study.getTrials({ states: ["FAIL"] })).map((t) => t.number)).toEqual([1]);
  });
});

describe("results", () => {
  it("gives the Pareto front of a multi-objective study and refuses bestTrial there", async () => {
    const gt = new Graphtune({ url: server.url });
    const study = await gt.createStudy({
      name: unique("pareto"),
      directions: ["minimize", "maximize"],
      searchSpace: [floatParam("x", 0, 1)],
    });
    const told: [number, number][] = [
      [1, 1],
      [2, 3],
      [3, 2],
      [0.5, 0.5],
    ];
    let i = 0;
    await study.optimize(() => told[i++], { nTrials: told.length });
    const front = study.bestTrials.map((t) => t.values).sort((a, b) => a![0] - b![0]);
    expect(front).toEqual([[0.5, 0.5], [1, 1], [2, 3]]);
    expect(() => study.bestTrial).toThrow(GraphtuneError);
  });

  it("loads a study by name or id, lists and deletes studies", async () => {
    const gt = new Graphtune({ url: server.url });
    const name = unique("load");
    const created = await gt.createStudy({ name, searchSpace: [floatParam("x", 0, 1)], userAttrs: { team: "vision" } });
    const byName = await gt.loadStudy(name);
    const byId = await gt.loadStudy({ id: created.id });
    expect(byName.id).toBe(created.id);
    expect(byId.name).toBe(name);
    expect(byName.userAttrs).toEqual({ team: "vision" });
    expect(byName.searchSpace).toMatchObject([{ name: "x", type: "FLOAT", low: 0, high: 1, log: false }]);
    expect((await gt.getAllStudies({ nameContains: name })).map((s) => s.name)).toEqual([name]);
    const same = await gt.createStudy({ name, loadIfExists: true });
    expect(same.id).toBe(created.id);
    expect(await gt.createStudy({ name }).catch((e: unknown) => e)).toBeInstanceOf(ConflictError);
    expect(await gt.deleteStudy(name)).toBe(true);
    const missing = await gt.loadStudy(name).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("errors in the objective", () => {
  it("tells FAIL and rethrows by default; with catch, goes on; NaN fails the trial without stopping", async () => {
    const gt = new Graphtune({ url: server.url });
    const study = await gt.createStudy({ name: unique("errors"), searchSpace: [floatParam("x", 0, 1)] });
    const boom = new Error("diverged");
    const stopped = await study
      .optimize(
        async (trial: Trial) => {
          if (trial.number === 1) throw boom;
          return 1;
        },
        { nTrials: 5 },
      )
      .catch((e: unknown) => e);
    expect(stopped).toBe(boom);
    expect((await study.getTrials()).map((t) => t.state)).toEqual(["COMPLETE", "FAIL"]);

    await study.optimize(
      (trial) => {
        if (trial.number % 2 === 0) throw boom;
        return trial.number === 3 ? Number.NaN : 2;
      },
      { nTrials: 4, catch: (e) => e === boom },
    );
    expect((await study.getTrials()).map((t) => t.state)).toEqual(["COMPLETE", "FAIL", "FAIL", "FAIL", "FAIL", "COMPLETE"]);
  });
});

describe("the typed transport", () => {
  it("runs generated documents with typed results, and plain strings as before", async () => {
    const client = new GraphtuneClient({ url: server.url });
    const name = unique("typed");
    await new Graphtune({ url: server.url }).createStudy({ name });
    const { study } = await client.request(GetStudyDocument, { name });
    expect(study?.name).toBe(name);
    const failure = await client.request(`query { nope }`).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BadUserInputError);
    expect((failure as GraphtuneError).code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("watches", () => {
  it("streams every stored point, then live points, and the study's progress", async () => {
    const gt = new Graphtune({ url: server.url });
    try {
      const study = await gt.createStudy({ name: unique("watch"), searchSpace: [floatParam("x", 0, 1)] });
      const trial = await study.ask();
      for (let step = 0; step < 3; step++) await trial.report(step / 10, step);
      const keys: string[] = [];
      const watching = (async () => {
        for await (const batch of study.watchMetrics()) {
          for (const p of batch.points) keys.push(`${batch.name}/${p.step}`);
          if (keys.length >= 6) break;
        }
      })();
      while (keys.length < 3) await new Promise((r) => setTimeout(r, 10));
      for (let step = 3; step < 6; step++) await trial.report(step / 10, step);
      await watching;
      expect(keys).toEqual([0, 1, 2, 3, 4, 5].map((s) => `objective/${s}`));

      const progress = study.watchProgress()[Symbol.asyncIterator]();
      const first = (await progress.next()).value!;
      expect(first.counts).toMatchObject({ running: 1, total: 1 });
      await study.tell(trial, 0.1);
      const next = (await progress.next()).value!;
      expect(next).toMatchObject({ bestValue: 0.1, counts: { complete: 1, running: 0 } });
      await progress.return!(undefined);
    } finally {
      await gt.close();
    }
  });
});
