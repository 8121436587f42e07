import type { StudyView, TrialView } from "../types";
import { PrunerOptions } from "./options";
import { KEEP, prune, type PruneDecision, type Pruner } from "./pruner";
import { fmt } from "./series";

export interface ThresholdPrunerOptions {
  /** Prune when the latest value is below this; null for no lower bound. Default null. */
  lower: number | null;
  /** Prune when the latest value is above this; null for no upper bound. Default null. */
  upper: number | null;
  /** No pruning before this step. Default 0. */
  nWarmupSteps: number;
  /** Judge every this many steps after the warm-up. Default 1. */
  intervalSteps: number;
}

/** Optuna's ThresholdPruner: prune a trial whose latest value leaves [lower, upper] or is NaN. */
export class ThresholdPruner implements Pruner {
  readonly needsHistory = false;

  constructor(private readonly opts: ThresholdPrunerOptions) {}

  static parse(raw: PrunerOptions): ThresholdPruner {
    const lower = raw.optionalNumber("lower");
    const upper = raw.optionalNumber("upper");
    if (lower === null && upper === null) raw.fail("lower", "give lower, upper or both.");
    if (lower !== null && upper !== null && lower > upper) raw.fail("lower", `must not exceed upper (${lower} > ${upper}).`);
    const opts = { lower, upper, nWarmupSteps: raw.int("nWarmupSteps", 0, 0), intervalSteps: raw.int("intervalSteps", 1, 1) };
    raw.done();
    return new ThresholdPruner(opts);
  }

  prune(_study: StudyView, trial: TrialView): PruneDecision {
    const reports = trial.intermediateValues;
    if (reports.length === 0) return KEEP;
    const { lower, upper, nWarmupSteps, intervalSteps } = this.opts;
    const { step, value } = reports[reports.length - 1];
    if (step < nWarmupSteps) return KEEP;
    const checkpoint = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps + nWarmupSteps;
    if (reports.length > 1 && reports[reports.length - 2].step >= checkpoint) return KEEP;
    if (Number.isNaN(value)) return prune(`value at step ${step} is NaN`);
    if (lower !== null && value < lower) return prune(`value ${fmt(value)} at step ${step} is below the lower threshold ${fmt(lower)}`);
    if (upper !== null && value > upper) return prune(`value ${fmt(value)} at step ${step} is above the upper threshold ${fmt(upper)}`);
    return KEEP;
  }
}
