import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue } from "../../../server/src/optimization";
import type { ReportAnswer, Trainer, TrainerContext, TrialOutcome } from "../../../server/src/executors/trainer";
import { loadTfjs, type Tf } from "../../../server/src/executors/trainers/tfjs/backend";
import { createLrRangeTrainer, createTfjsMlpTrainer } from "../../../server/src/executors/trainers/tfjs";

interface Report {
  step: number;
  objective: number;
  metrics: Record<string, number>;
}

/** The worker's side of the interface, recording reports in memory and answering as told. */
function context(
  task: Record<string, JsonValue>,
  params: Record<string, JsonValue> = {},
  options: {
    directions?: ("MINIMIZE" | "MAXIMIZE")[];
    trialNumber?: number;
    answer?: (report: Report) => ReportAnswer;
    controller?: AbortController;
  } = {},
): TrainerContext & { reports: Report[] } {
  const reports: Report[] = [];
  return {
    reports,
    trialId: "trial",
    trialNumber: options.trialNumber ?? 0,
    params,
    task,
    directions: options.directions ?? ["MAXIMIZE"],
    device: { kind: "cpu" },
    signal: (options.controller ?? new AbortController()).signal,
    async report(step, objective, metrics = {}) {
      const report = { step, objective, metrics };
      reports.push(report);
      return options.answer?.(report) ?? { shouldPrune: false, reason: null };
    },
    server: { url: "http://127.0.0.1:1/graphql" },
    log: () => undefined,
  };
}

let tf: Tf;
let mlp: Trainer;
let lrRange: Trainer;
const wine = { trainer: "tfjs-mlp", dataset: "wine", epochs: 6, patience: 0 };
const adam = { learningRate: 0.01, batchSize: 16 };

beforeAll(async () => {
  tf = (await loadTfjs({ kind: "cpu" })).tf;
  mlp = await createTfjsMlpTrainer({ device: { kind: "cpu" } });
  lrRange = await createLrRangeTrainer({ device: { kind: "cpu" } });
  // Fill the data set caches, which may stay between trials.
  await mlp.run(context({ ...wine, epochs: 1 }));
  await mlp.run(context({ dataset: "diabetes", epochs: 1 }, {}, { directions: ["MINIMIZE"] }));
  await mlp.run(context({ dataset: "digits", epochs: 1 }, { units: 8, layers: 1, batchSize: 256 }));
  await lrRange.run(context({ dataset: "wine", steps: 10 }, {}, { directions: ["MINIMIZE"] }));
});

afterAll(async () => {
  await mlp.close?.();
  await lrRange.close?.();
});

/** Runs and checks that every tensor of the trial is gone afterwards. */
async function runClean(trainer: Trainer, ctx: TrainerContext): Promise<TrialOutcome> {
  const before = tf.memory().numTensors;
  const outcome = await trainer.run(ctx);
  expect(tf.memory().numTensors).toBe(before);
  return outcome;
}

describe("tfjs-mlp", () => {
  it("names the backend it runs on", () => {
    expect(mlp.name).toBe("tfjs-mlp");
    expect(["tensorflow-gpu", "tensorflow", "wasm", "cpu"]).toContain(mlp.backend());
  });

  it("learns wine far better than chance in a few epochs, reporting every epoch", async () => {
    const ctx = context(wine, adam);
    const outcome = await runClean(mlp, ctx);
    expect(outcome.state).toBe("COMPLETE");
    if (outcome.state !== "COMPLETE") return;
    expect(outcome.values[0]).toBeGreaterThan(0.8); // three classes: chance is about 0.4
    expect(ctx.reports.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of ctx.reports) {
      expect(Object.keys(r.metrics).sort()).toEqual(["learningRate", "trainLoss", "valAccuracy", "valLoss"]);
      expect(r.objective).toBe(r.metrics.valAccuracy);
    }
    expect(ctx.reports[5].metrics.trainLoss).toBeLessThan(ctx.reports[0].metrics.trainLoss);
    const best = Math.max(...ctx.reports.map((r) => r.objective));
    expect(outcome.values[0]).toBe(best);
    expect(outcome.userAttrs).toMatchObject({ backend: mlp.backend(), epochsRun: 6, stoppedEarly: false, metric: "valAccuracy" });
    expect(ctx.reports[(outcome.userAttrs!.bestEpoch as number) - 1].objective).toBe(best);
  });

  it("is deterministic for a seed, and the trial number changes the seed", async () => {
    const a = context(wine, { ...adam, dropout: 0.3 });
    const b = context(wine, { ...adam, dropout: 0.3 });
    const c = context(wine, { ...adam, dropout: 0.3 }, { trialNumber: 1 });
    await mlp.run(a);
    await mlp.run(b);
    await mlp.run(c);
    expect(b.reports).toEqual(a.reports);
    expect(c.reports.map((r) => r.metrics.trainLoss)).not.toEqual(a.reports.map((r) => r.metrics.trainLoss));
  });

  it("stops early on the objective and keeps the best epoch", async () => {
    // A tiny learning rate barely moves the validation loss: minDelta makes that no improvement.
    const ctx = context({ ...wine, epochs: 30, patience: 2, minDelta: 0.05, metric: "valLoss" }, { learningRate: 1e-4 }, { directions: ["MINIMIZE"] });
    const outcome = await runClean(mlp, ctx);
    expect(outcome.state).toBe("COMPLETE");
    if (outcome.state !== "COMPLETE") return;
    expect(outcome.userAttrs).toMatchObject({ stoppedEarly: true, bestEpoch: 1, epochsRun: 3 });
    expect(outcome.values[0]).toBe(ctx.reports[0].objective);
  });

  it("stops at the epoch the pruner says prune", async () => {
    const ctx = context({ ...wine, epochs: 10 }, adam, {
      answer: (r) => (r.step === 3 ? { shouldPrune: true, reason: "below the median" } : { shouldPrune: false, reason: null }),
    });
    const outcome = await runClean(mlp, ctx);
    expect(outcome).toMatchObject({ state: "PRUNED", reason: "below the median" });
    expect(ctx.reports).toHaveLength(3);
  });

  it("stops within a batch when its signal is aborted, and returns STOPPED", async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    let firstEpochEnd = 0;
    // digits with batches of 8: an epoch is about 135 batches, so stopping mid-epoch shows.
    const ctx = context({ dataset: "digits", epochs: 50 }, { batchSize: 8, units: 16, layers: 1 }, {
      controller,
      answer: () => {
        firstEpochEnd = performance.now();
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, 5);
        return { shouldPrune: false, reason: null };
      },
    });
    const start = performance.now();
    const outcome = await runClean(mlp, ctx);
    const end = performance.now();
    expect(outcome).toEqual({ state: "STOPPED" });
    expect(ctx.reports).toHaveLength(1);
    // A fraction of an epoch passed between the abort and the end: the epoch did not run on.
    expect(end - abortedAt).toBeLessThan((firstEpochEnd - start) / 4);
    expect(await mlp.run(context(wine, adam, { controller }))).toEqual({ state: "STOPPED" });
  });

  it("fails a trial whose loss becomes NaN, saying so", async () => {
    const outcome = await runClean(mlp, context(wine, { optimizer: "sgd", learningRate: 1e6 }));
    expect(outcome.state).toBe("FAIL");
    if (outcome.state === "FAIL") expect(outcome.reason).toMatch(/loss became (NaN|Infinity) in epoch 1 .* lower the learningRate/);
  });

  it("frees the trial's tensors when reporting throws, and passes the error on", async () => {
    const before = tf.memory().numTensors;
    const ctx = context(wine, { ...adam, optimizer: "adam-hd" }, {
      answer: () => {
        throw new Error("server unreachable");
      },
    });
    await expect(mlp.run(ctx)).rejects.toThrow("server unreachable");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("fails with the reason for a bad parameter or a metric against the study's direction", async () => {
    const bad = await runClean(mlp, context(wine, { optimizer: "adagrad" }));
    expect(bad).toMatchObject({ state: "FAIL", reason: expect.stringMatching(/parameter optimizer must be one of/) });
    const against = await runClean(mlp, context({ ...wine, metric: "valAccuracy" }, adam, { directions: ["MINIMIZE"] }));
    expect(against).toMatchObject({ state: "FAIL", reason: expect.stringMatching(/valAccuracy is maximised but the study minimises/) });
  });

  it("resolves the objective from the directions: valLoss when minimising, valMae on request for a regression", async () => {
    const loss = context(wine, adam, { directions: ["MINIMIZE"] });
    await mlp.run(loss);
    expect(loss.reports[0].objective).toBe(loss.reports[0].metrics.valLoss);
    const mae = context({ dataset: "diabetes", epochs: 3, metric: "valMae" }, adam, { directions: ["MINIMIZE"] });
    const outcome = await runClean(mlp, mae);
    expect(outcome.state).toBe("COMPLETE");
    expect(mae.reports[0].metrics).toHaveProperty("valMae");
    expect(mae.reports[0].objective).toBe(mae.reports[0].metrics.valMae);
    // In the target's own units (disease progression, spread about 77): far from standardised values.
    expect(mae.reports[2].objective).toBeGreaterThan(20);
  });

  it("evaluates on the test part after training again exactly as the trial did", async () => {
    const ctx = context({ ...wine, epochs: 8, patience: 3 }, adam, { trialNumber: 4 });
    const outcome = await mlp.run(ctx);
    const before = tf.memory().numTensors;
    const { report: _, ...rest } = ctx;
    const scores = await mlp.evaluate!(rest);
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(scores).sort()).toEqual(["bestEpoch", "epochs", "testAccuracy", "testLoss", "valAccuracy", "valLoss"]);
    expect(outcome.state === "COMPLETE" && outcome.values[0]).toBe(scores.valAccuracy);
    expect(scores.bestEpoch).toBe(outcome.state === "COMPLETE" && outcome.userAttrs?.bestEpoch);
    expect(scores.testAccuracy).toBeGreaterThan(0.7);
  });
});

describe("tfjs-lr-range", () => {
  const minimise = { directions: ["MINIMIZE" as const] };

  it("suggests a learning rate whose short training beats both ends of the sweep", async () => {
    // Up to 10, so that the sweep runs until adam diverges.
    const ctx = context({ trainer: "tfjs-lr-range", dataset: "wine", maxLr: 10 }, {}, minimise);
    const outcome = await runClean(lrRange, ctx);
    expect(outcome.state).toBe("COMPLETE");
    if (outcome.state !== "COMPLETE") return;
    const attrs = outcome.userAttrs as { suggestedLearningRate: number; suggestedRange: [number, number]; lossAtSuggested: number };
    expect(attrs.suggestedLearningRate).toBeGreaterThan(1e-6);
    expect(attrs.suggestedLearningRate).toBeLessThan(10);
    expect(attrs.suggestedRange[0]).toBeLessThan(attrs.suggestedLearningRate);
    expect(attrs.suggestedRange[1]).toBeGreaterThanOrEqual(attrs.suggestedLearningRate);
    expect(outcome.values[0]).toBe(attrs.lossAtSuggested);
    // One report per step, the learning rate growing exponentially.
    const rates = ctx.reports.map((r) => r.metrics.learningRate);
    expect(rates[0]).toBeCloseTo(1e-6, 12);
    expect(rates.every((r, i) => i === 0 || r > rates[i - 1])).toBe(true);

    const trainWith = async (learningRate: number) => {
      const out = await mlp.run(context({ ...wine, epochs: 5, metric: "valLoss" }, { learningRate }, minimise));
      return out.state === "COMPLETE" ? out.values[0] : Infinity;
    };
    const suggested = await trainWith(attrs.suggestedLearningRate);
    expect(suggested).toBeLessThan(await trainWith(1e-6));
    expect(suggested).toBeLessThan(await trainWith(rates[rates.length - 1]));
  });

  it("stops the sweep when the loss diverges", async () => {
    const ctx = context({ dataset: "wine", maxLr: 100 }, { optimizer: "sgd" }, minimise);
    const outcome = await runClean(lrRange, ctx);
    expect(outcome.state).toBe("COMPLETE");
    expect(outcome.state === "COMPLETE" && outcome.userAttrs).toMatchObject({ diverged: true });
    expect(ctx.reports.length).toBeLessThan(100);
    const last = ctx.reports[ctx.reports.length - 1].objective;
    expect(last).toBeGreaterThan(4 * Math.min(...ctx.reports.map((r) => r.objective)));
  });

  it("stops on prune and on abort without leaving tensors", async () => {
    const pruned = await runClean(
      lrRange,
      context({ dataset: "wine" }, {}, { ...minimise, answer: (r) => ({ shouldPrune: r.step === 5, reason: null }) }),
    );
    expect(pruned.state).toBe("PRUNED");
    const controller = new AbortController();
    const stopped = await runClean(
      lrRange,
      context({ dataset: "wine" }, {}, { ...minimise, controller, answer: (r) => (r.step === 5 && controller.abort(), { shouldPrune: false, reason: null }) }),
    );
    expect(stopped).toEqual({ state: "STOPPED" });
  });
});
