import type { JsonValue } from "../../../optimization";
import { TaskError } from "../../tasks/taskDefinition";
import { checkTfjsMlpTask, type TfjsMlpTask } from "../../tasks/tfjsMlpTask";
import type { Trainer, TrainerContext, TrialOutcome } from "../../trainer";
import type { Tf, TfjsBackendName } from "./backend";
import { DatasetError } from "./data/dataset";
import { DatasetCache, type DatasetTensors } from "./datasetTensors";
import { HyperparameterError, readHyperparameters, type MlpHyperparameters } from "./hyperparameters";
import { scorePart } from "./mlpLoss";
import { resolveObjective } from "./objective";
import { trainMlp, type EpochMetrics, type Objective, type TrainOptions } from "./trainMlp";

/** What a trial needs, or why it cannot run. */
interface Prepared {
  task: TfjsMlpTask;
  hp: MlpHyperparameters;
  data: DatasetTensors;
  objective: Objective;
}

/**
 * The "tfjs-mlp" trainer: trains an MLP on a built-in data set or a CSV with the trial's
 * hyperparameters, reports validation metrics every epoch, stops early on the objective and keeps
 * the best epoch's weights. Data set tensors stay cached between trials; everything else a trial
 * creates is freed before `run` resolves.
 */
export class TfjsMlpTrainer implements Trainer {
  readonly name = "tfjs-mlp";
  private readonly cache: DatasetCache;

  constructor(
    private readonly tf: Tf,
    private readonly backendName: TfjsBackendName,
  ) {
    this.cache = new DatasetCache(tf);
  }

  backend(): string {
    return this.backendName;
  }

  async run(ctx: TrainerContext): Promise<TrialOutcome> {
    if (ctx.signal.aborted) return { state: "STOPPED" };
    const prepared = this.prepare(ctx);
    if (typeof prepared === "string") return { state: "FAIL", reason: prepared, userAttrs: { backend: this.backendName } };
    let pruneReason: string | null = null;
    const result = await trainMlp(this.tf, prepared.data, {
      ...this.trainOptions(prepared, ctx),
      onEpoch: async (epoch, objective, metrics) => {
        const answer = await ctx.report(epoch, objective, numbers(metrics));
        if (!answer.shouldPrune) return false;
        pruneReason = answer.reason;
        return true;
      },
    });
    try {
      const attrs: Record<string, JsonValue> = {
        backend: this.backendName,
        metric: prepared.objective.metric,
        epochsRun: result.epochsRun,
        bestEpoch: result.bestEpoch,
        stoppedEarly: result.stoppedEarly,
      };
      switch (result.end) {
        case "stopped":
          return { state: "STOPPED" };
        case "pruned":
          return { state: "PRUNED", ...(pruneReason ? { reason: pruneReason } : {}), userAttrs: attrs };
        case "diverged":
          return { state: "FAIL", reason: result.reason!, userAttrs: attrs };
        case "complete":
          return { state: "COMPLETE", values: [result.best!.objective], userAttrs: attrs };
      }
    } finally {
      result.model.dispose();
    }
  }

  /**
   * Trains the parameters again exactly as `run` did (same seeds, same early stopping on
   * validation) and scores the best epoch's weights on the test part, which nothing else reads.
   */
  async evaluate(ctx: Omit<TrainerContext, "report">): Promise<Record<string, number>> {
    const prepared = this.prepare(ctx);
    if (typeof prepared === "string") throw new Error(prepared);
    const result = await trainMlp(this.tf, prepared.data, this.trainOptions(prepared, ctx));
    try {
      if (result.end === "stopped") throw new Error("evaluation stopped: its signal was aborted.");
      if (result.end === "diverged") throw new Error(result.reason);
      const { data } = prepared;
      const test = scorePart(this.tf, result.model, data, data.test);
      const validation = scorePart(this.tf, result.model, data, data.validation);
      const scores: Record<string, number> = { testLoss: test.loss, valLoss: validation.loss };
      if (data.kind === "classification") Object.assign(scores, { testAccuracy: test.accuracy!, valAccuracy: validation.accuracy! });
      else Object.assign(scores, { testMae: test.mae!, valMae: validation.mae! });
      return { ...scores, epochs: result.epochsRun, bestEpoch: result.bestEpoch };
    } finally {
      result.model.dispose();
    }
  }

  async close(): Promise<void> {
    this.cache.dispose();
  }

  private prepare(ctx: Omit<TrainerContext, "report">): Prepared | string {
    try {
      const task = checkTfjsMlpTask(ctx.task);
      const hp = readHyperparameters(ctx.params);
      const data = this.cache.get(task);
      const objective = resolveObjective(task.metric, data.kind, ctx.directions);
      return typeof objective === "string" ? objective : { task, hp, data, objective };
    } catch (error) {
      if (error instanceof TaskError || error instanceof HyperparameterError || error instanceof DatasetError) return error.message;
      throw error;
    }
  }

  private trainOptions(p: Prepared, ctx: Omit<TrainerContext, "report">): TrainOptions {
    return {
      hp: p.hp,
      epochs: p.task.epochs,
      patience: p.task.patience,
      minDelta: p.task.minDelta,
      objective: p.objective,
      seed: p.task.seed + ctx.trialNumber,
      signal: ctx.signal,
    };
  }
}

/** The metrics as reportable series (absent ones left out). */
export function numbers(metrics: EpochMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (typeof v === "number") out[k] = v;
  return out;
}
