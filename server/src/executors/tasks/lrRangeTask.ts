import type { JsonValue } from "../../optimization";
import { TaskError, type TaskDefinition } from "./taskDefinition";
import { checkDataFields, integerField, numberField, rejectUnknownFields, type TfjsDataFields } from "./tfjsMlpTask";

/**
 * A checked learning-rate range test (Smith 2017, as fastai runs it): one short run whose learning
 * rate grows exponentially from minLr to maxLr, one batch a step.
 */
export interface LrRangeTask extends TfjsDataFields {
  trainer: "tfjs-lr-range";
  /** Learning rate of the first step. Default 1e-6. */
  minLr: number;
  /** Learning rate of the last step. Default 1. */
  maxLr: number;
  /** Batches of the sweep (epochs repeat as needed). Default 100. */
  steps: number;
  /** Weight of the past in the exponential moving average of the loss (bias-corrected). Default 0.98. */
  smoothing: number;
  /** The sweep stops once the smoothed loss exceeds this multiple of its best. Default 4. */
  divergeFactor: number;
}

const FIELDS = ["trainer", "dataset", "splitSeed", "splitFractions", "seed", "minLr", "maxLr", "steps", "smoothing", "divergeFactor"];

export function checkLrRangeTask(task: Record<string, JsonValue>): LrRangeTask {
  rejectUnknownFields(task, FIELDS, "tfjs-lr-range");
  const minLr = numberField(task, "minLr", 1e-12, 1e6, 1e-6);
  const maxLr = numberField(task, "maxLr", 1e-12, 1e6, 1);
  if (maxLr <= minLr) {
    throw new TaskError(`task.maxLr (${maxLr}) must be above task.minLr (${minLr}).`, "task.maxLr");
  }
  return {
    trainer: "tfjs-lr-range",
    ...checkDataFields(task),
    minLr,
    maxLr,
    steps: integerField(task, "steps", 10, 100_000, 100),
    smoothing: numberField(task, "smoothing", 0, 0.999, 0.98),
    divergeFactor: numberField(task, "divergeFactor", 1.01, 1e6, 4),
  };
}

/**
 * The server's half of the learning-rate range test. A study of it may declare no parameters at
 * all: the other hyperparameters then take the tfjs-mlp defaults.
 */
export const lrRangeTask: TaskDefinition = {
  trainer: "tfjs-lr-range",
  check: (task) => checkLrRangeTask(task) as unknown as Record<string, JsonValue>,
  evaluatesBestTrial: false,
};
