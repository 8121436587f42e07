import type { Scalar, Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { Rng } from "../../../optimization";
import type { Tf } from "./backend";
import type { DatasetTensors } from "./datasetTensors";
import type { MlpHyperparameters } from "./hyperparameters";
import { Mlp } from "./mlp";
import { lossOf, scorePart, type PartScore } from "./mlpLoss";
import { createOptimizer } from "./optimizers/createOptimizer";
import { shuffleTrainingPart } from "./shuffleTrainingPart";
import type { Optimizer } from "./optimizers/optimizer";

/** The validation metric training optimises and early stopping watches. */
export interface Objective {
  metric: "valAccuracy" | "valLoss" | "valMae";
  maximize: boolean;
}

export interface EpochMetrics {
  trainLoss: number;
  valLoss: number;
  valAccuracy?: number;
  valMae?: number;
  /** The learning rate at the end of the epoch (it moves under sgd-hd and adam-hd). */
  learningRate: number;
}

export interface TrainOptions {
  hp: MlpHyperparameters;
  /** Most epochs to train. */
  epochs: number;
  /** Epochs without improvement before stopping; 0 = never stop early. */
  patience: number;
  /** Least change that counts as an improvement. */
  minDelta: number;
  objective: Objective;
  /** Seeds the weights, the shuffles and dropout. */
  seed: number;
  /** Checked before every batch; training stops when it is aborted. */
  signal?: AbortSignal;
  /** Called after every epoch (1-based); resolving true stops training as pruned. */
  onEpoch?(epoch: number, objective: number, metrics: EpochMetrics): Promise<boolean>;
}

export type TrainEnd = "complete" | "pruned" | "stopped" | "diverged";

export interface TrainResult {
  end: TrainEnd;
  /** Why training diverged ("diverged" only). */
  reason?: string;
  /** The model with the best epoch's weights (the last ones when no epoch finished). The caller disposes it. */
  model: Mlp;
  /** 1-based; 0 when no epoch finished. */
  bestEpoch: number;
  epochsRun: number;
  /** The best epoch's metrics and objective, null when no epoch finished. */
  best: { objective: number; metrics: EpochMetrics } | null;
  stoppedEarly: boolean;
}

/** The objective's value among an epoch's metrics. */
export function objectiveValue(objective: Objective, metrics: EpochMetrics): number {
  return metrics[objective.metric] ?? NaN;
}

/**
 * Trains an MLP with a hand-written loop (tf.variableGrads and our optimizers inside tf.tidy):
 * at this size model.fit spends most of its time in per-batch bookkeeping. Every tensor it
 * creates is freed before it returns or throws, except the returned model.
 */
export async function trainMlp(tf: Tf, data: DatasetTensors, options: TrainOptions): Promise<TrainResult> {
  const { hp, objective } = options;
  const model = new Mlp(
    tf,
    {
      inputs: data.features,
      outputs: data.outputs,
      layers: hp.layers,
      units: hp.units,
      activation: hp.activation,
      dropout: hp.dropout,
    },
    options.seed,
  );
  let optimizer: Optimizer | null = null;
  let lossSum: Variable | null = null;
  let bestWeights: Tensor[] | null = null;
  let keepModel = false;
  try {
    optimizer = createOptimizer(tf, hp.optimizer, model.variables, {
      learningRate: hp.learningRate,
      weightDecay: hp.weightDecay,
      decays: model.decays,
      momentum: hp.momentum,
      hypergradientRate: hp.hypergradientRate,
    });
    lossSum = tf.tidy(() => tf.variable(tf.scalar(0), false));
    let best: TrainResult["best"] = null;
    let bestEpoch = 0;
    let epochsRun = 0;
    let end: TrainEnd = "complete";
    let reason: string | undefined;
    let stoppedEarly = false;

    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const finished = await trainEpoch(tf, model, optimizer, data, lossSum, hp.batchSize, options.seed, epoch, options.signal);
      if (!finished) {
        end = "stopped";
        break;
      }
      epochsRun = epoch;
      const trainLoss = lossSum.dataSync()[0] / data.train.rows;
      const score: PartScore = scorePart(tf, model, data, data.validation);
      const metrics: EpochMetrics = {
        trainLoss,
        valLoss: score.loss,
        ...(score.accuracy !== undefined ? { valAccuracy: score.accuracy } : { valMae: score.mae }),
        learningRate: optimizer.learningRate(),
      };
      if (!Number.isFinite(trainLoss) || !Number.isFinite(score.loss)) {
        end = "diverged";
        reason =
          `the loss became ${Number.isFinite(trainLoss) ? score.loss : trainLoss} in epoch ${epoch} with learning rate ` +
          `${hp.learningRate} (${hp.optimizer}): training diverged; lower the learningRate range of the search space.`;
        break;
      }
      const value = objectiveValue(objective, metrics);
      const improved =
        best === null || (objective.maximize ? value > best.objective + options.minDelta : value < best.objective - options.minDelta);
      if (improved) {
        best = { objective: value, metrics };
        bestEpoch = epoch;
        for (const t of bestWeights ?? []) t.dispose();
        bestWeights = model.snapshot();
      }
      if (options.onEpoch && (await options.onEpoch(epoch, value, metrics))) {
        end = "pruned";
        break;
      }
      if (options.signal?.aborted) {
        end = "stopped";
        break;
      }
      if (options.patience > 0 && epoch - bestEpoch >= options.patience && epoch < options.epochs) {
        stoppedEarly = true;
        break;
      }
    }
    if (bestWeights) model.restore(bestWeights);
    keepModel = true;
    return { end, reason, model, bestEpoch, epochsRun, best, stoppedEarly };
  } finally {
    for (const t of bestWeights ?? []) t.dispose();
    lossSum?.dispose();
    optimizer?.dispose();
    if (!keepModel) model.dispose();
  }
}

/** One pass over the shuffled training part; false when the signal stopped it. Sums batch losses into `lossSum`. */
async function trainEpoch(
  tf: Tf,
  model: Mlp,
  optimizer: Optimizer,
  data: DatasetTensors,
  lossSum: Variable,
  batchSize: number,
  seed: number,
  epoch: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const rows = data.train.rows;
  const [xs, ys] = shuffleTrainingPart(tf, data, seed, epoch);
  const rng = Rng.derive(seed, epoch, 1);
  try {
    tf.tidy(() => lossSum.assign(tf.scalar(0)));
    for (let start = 0; start < rows; start += batchSize) {
      // Let abort events and other work in; without this an epoch would run as one uninterruptible block.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) return false;
      const size = Math.min(batchSize, rows - start);
      const dropoutSeed = rng.nextUint32() % 2147483647;
      tf.tidy(() => {
        const x = xs.slice([start, 0], [size, -1]) as Tensor2D;
        const y = ys.slice([start, 0], [size, -1]) as Tensor2D;
        const loss = trainStep(tf, model, optimizer, data.kind, x, y, dropoutSeed);
        lossSum.assign(lossSum.add(loss.mul(size)));
      });
    }
    return true;
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

/** One optimizer step on one batch; returns the batch's mean loss. Call inside tf.tidy. */
export function trainStep(
  tf: Tf,
  model: Mlp,
  optimizer: Optimizer,
  kind: DatasetTensors["kind"],
  x: Tensor2D,
  y: Tensor2D,
  dropoutSeed: number,
): Scalar {
  const { value, grads } = tf.variableGrads(() => lossOf(tf, kind, model.forward(x, dropoutSeed), y), model.variables);
  optimizer.step(model.variables.map((v) => grads[v.name]));
  return value;
}
