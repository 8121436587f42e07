import type { Tensor2D } from "@tensorflow/tfjs";
import { Rng, type JsonValue } from "../../../optimization";
import { checkLrRangeTask, type LrRangeTask } from "../../tasks/lrRangeTask";
import { TaskError } from "../../tasks/taskDefinition";
import type { Trainer, TrainerContext, TrialOutcome } from "../../trainer";
import type { Tf, TfjsBackendName } from "./backend";
import { DatasetError } from "./data/dataset";
import { DatasetCache, type DatasetTensors } from "./datasetTensors";
import { HyperparameterError, readHyperparameters, type MlpHyperparameters, type OptimizerName } from "./hyperparameters";
import { suggestLearningRate } from "./lrSuggestion";
import { Mlp } from "./mlp";
import { createOptimizer } from "./optimizers/createOptimizer";
import type { Optimizer } from "./optimizers/optimizer";
import { shuffleTrainingPart } from "./shuffleTrainingPart";
import { trainStep } from "./trainMlp";

/** The sweep sets the learning rate every step, which would overwrite what the -hd rules learn: they run as their base rule. */
const SWEPT: Record<OptimizerName, OptimizerName> = {
  sgd: "sgd",
  momentum: "momentum",
  adam: "adam",
  rmsprop: "rmsprop",
  adamw: "adamw",
  "sgd-hd": "sgd",
  "adam-hd": "adam",
};

/**
 * The "tfjs-lr-range" trainer: the learning-rate range test of Smith (2017) as fastai runs it.
 * One run of `steps` batches whose learning rate grows exponentially from minLr to maxLr, with the
 * trial's other hyperparameters; reports the smoothed training loss every step (and the
 * "learningRate" series), stops once the loss diverges, and completes with the suggested learning
 * rate and range in its user attributes.
 */
export class LrRangeTrainer implements Trainer {
  readonly name = "tfjs-lr-range";
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
    let task: LrRangeTask;
    let hp: MlpHyperparameters;
    let data: DatasetTensors;
    try {
      task = checkLrRangeTask(ctx.task);
      hp = readHyperparameters(ctx.params);
      data = this.cache.get(task);
    } catch (error) {
      if (error instanceof TaskError || error instanceof HyperparameterError || error instanceof DatasetError) {
        return { state: "FAIL", reason: error.message, userAttrs: { backend: this.backendName } };
      }
      throw error;
    }
    const tf = this.tf;
    const seed = task.seed + ctx.trialNumber;
    const model = new Mlp(
      tf,
      { inputs: data.features, outputs: data.outputs, layers: hp.layers, units: hp.units, activation: hp.activation, dropout: hp.dropout },
      seed,
    );
    let optimizer: Optimizer | null = null;
    const batches = new BatchStream(tf, data, hp.batchSize, seed);
    try {
      optimizer = createOptimizer(tf, SWEPT[hp.optimizer], model.variables, {
        learningRate: task.minLr,
        weightDecay: hp.weightDecay,
        decays: model.decays,
        momentum: hp.momentum,
        hypergradientRate: 0,
      });
      const growth = Math.pow(task.maxLr / task.minLr, 1 / (task.steps - 1));
      const rates: number[] = [];
      const smoothed: number[] = [];
      let average = 0;
      let best = Infinity;
      let diverged = false;
      for (let step = 0; step < task.steps; step++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (ctx.signal.aborted) return { state: "STOPPED" };
        const lr = task.minLr * Math.pow(growth, step);
        optimizer.setLearningRate(lr);
        const { x, y, seed: dropoutSeed } = batches.next();
        const lossTensor = tf.tidy(() => trainStep(tf, model, optimizer!, data.kind, x, y, dropoutSeed));
        const loss = lossTensor.dataSync()[0];
        lossTensor.dispose();
        x.dispose();
        y.dispose();
        if (!Number.isFinite(loss)) {
          diverged = true;
          break;
        }
        average = task.smoothing * average + (1 - task.smoothing) * loss;
        const value = average / (1 - Math.pow(task.smoothing, step + 1));
        rates.push(lr);
        smoothed.push(value);
        const answer = await ctx.report(step + 1, value, { learningRate: lr, loss });
        if (answer.shouldPrune) {
          return { state: "PRUNED", ...(answer.reason ? { reason: answer.reason } : {}), userAttrs: { backend: this.backendName, stepsRun: step + 1 } };
        }
        if (value > task.divergeFactor * best) {
          diverged = true;
          break;
        }
        best = Math.min(best, value);
      }
      const suggestion = suggestLearningRate(rates, smoothed);
      const attrs: Record<string, JsonValue> = { backend: this.backendName, stepsRun: rates.length, diverged };
      if (!suggestion) {
        return {
          state: "FAIL",
          reason: `the loss diverged after ${rates.length} steps, from learning rate ${task.minLr}; lower task.minLr.`,
          userAttrs: attrs,
        };
      }
      return { state: "COMPLETE", values: [suggestion.lossAtSuggested], userAttrs: { ...attrs, ...suggestion } };
    } finally {
      batches.dispose();
      optimizer?.dispose();
      model.dispose();
    }
  }

  async close(): Promise<void> {
    this.cache.dispose();
  }
}

/** Endless training batches: shuffled passes over the training part, reshuffled every pass. */
class BatchStream {
  private xs: Tensor2D | null = null;
  private ys: Tensor2D | null = null;
  private pass = 0;
  private start = 0;
  private readonly rng: Rng;

  constructor(
    private readonly tf: Tf,
    private readonly data: DatasetTensors,
    private readonly batchSize: number,
    private readonly seed: number,
  ) {
    this.rng = Rng.derive(seed, 0, 1);
  }

  /** The next batch; the caller disposes x and y. */
  next(): { x: Tensor2D; y: Tensor2D; seed: number } {
    const rows = this.data.train.rows;
    if (!this.xs || this.start >= rows) this.reshuffle();
    const size = Math.min(this.batchSize, rows - this.start);
    const x = this.xs!.slice([this.start, 0], [size, -1]);
    const y = this.ys!.slice([this.start, 0], [size, -1]);
    this.start += size;
    return { x, y, seed: this.rng.nextUint32() % 2147483647 };
  }

  private reshuffle(): void {
    this.dispose();
    [this.xs, this.ys] = shuffleTrainingPart(this.tf, this.data, this.seed, ++this.pass);
    this.start = 0;
  }

  dispose(): void {
    this.xs?.dispose();
    this.ys?.dispose();
    this.xs = this.ys = null;
  }
}
