import type { Direction, StudyView, TrialView } from "../types";
import { PrunerOptions } from "./options";
import { KEEP, prune, type PruneDecision, type Pruner } from "./pruner";
import { bestReported, fmt, ordinal, percentileOfSorted, valueAtStep } from "./series";

export interface PercentilePrunerOptions {
  /** Keep trials in the top `percentile` percent at a step; 0..100. Required for PERCENTILE, 50 for MEDIAN. */
  percentile: number;
  /** No pruning until this many trials have COMPLETED. Default 5. */
  nStartupTrials: number;
  /** No pruning before this step. Default 0. */
  nWarmupSteps: number;
  /** Judge every this many steps after the warm-up (a late report is judged when it arrives). Default 1. */
  intervalSteps: number;
  /** No pruning while fewer than this many completed trials reported the same step. Default 1. */
  nMinTrials: number;
}

/**
 * Optuna's PercentilePruner: prune when the trial's best value so far is worse than the given
 * percentile of the COMPLETE trials' values at the same step. PRUNED trials are not a reference:
 * their curves stop early and would pull the percentile towards bad values. MEDIAN is this at 50.
 */
export class PercentilePruner implements Pruner {
  readonly needsHistory = true;

  constructor(private readonly opts: PercentilePrunerOptions) {}

  static parse(raw: PrunerOptions, percentile?: number): PercentilePruner {
    const opts: PercentilePrunerOptions = {
      percentile:
        percentile ??
        (raw.has("percentile") ? raw.number("percentile", 50, { min: 0, max: 100 }) : raw.fail("percentile", "is required: a number from 0 to 100.")),
      nStartupTrials: raw.int("nStartupTrials", 5, 0),
      nWarmupSteps: raw.int("nWarmupSteps", 0, 0),
      intervalSteps: raw.int("intervalSteps", 1, 1),
      nMinTrials: raw.int("nMinTrials", 1, 1),
    };
    raw.done();
    return new PercentilePruner(opts);
  }

  prune(study: StudyView, trial: TrialView): PruneDecision {
    const reports = trial.intermediateValues;
    if (reports.length === 0) return KEEP;
    const { nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials } = this.opts;
    const step = reports[reports.length - 1].step;
    if (step < nWarmupSteps) return KEEP;
    // Judge once per interval: only the first report at or after each checkpoint counts.
    const checkpoint = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps + nWarmupSteps;
    const previousStep = reports.length > 1 ? reports[reports.length - 2].step : -Infinity;
    if (previousStep >= checkpoint) return KEEP;

    let nComplete = 0;
    const atStep: number[] = [];
    for (const t of study.trials) {
      if (t.state !== "COMPLETE" || t.number === trial.number) continue;
      nComplete++;
      const v = valueAtStep(t.intermediateValues, step);
      if (v !== undefined) atStep.push(v);
    }
    if (nComplete === 0 || nComplete < nStartupTrials) return KEEP;

    const direction: Direction = study.directions[0];
    const best = bestReported(reports, direction);
    if (Number.isNaN(best)) return prune(`every value reported up to step ${step} is NaN`);
    if (atStep.length < nMinTrials) return KEEP;

    const finite = Float64Array.from(atStep.filter((v) => !Number.isNaN(v))).sort();
    if (finite.length === 0) return KEEP;
    const q = direction === "MAXIMIZE" ? 100 - this.opts.percentile : this.opts.percentile;
    const threshold = percentileOfSorted(finite, q);
    const worse = direction === "MAXIMIZE" ? best < threshold : best > threshold;
    if (!worse) return KEEP;
    const pct = this.opts.percentile === 50 ? "median" : `${ordinal(Math.round(this.opts.percentile))} percentile`;
    return prune(
      `best value ${fmt(best)} up to step ${step} is worse than the ${pct} ${fmt(threshold)} of ${finite.length} completed trials at step ${step}`,
    );
  }
}
