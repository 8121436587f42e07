import type { StudyView, TrialView } from "../types";
import { PrunerOptions } from "./options";
import { KEEP, prune, type PruneDecision, type Pruner } from "./pruner";
import { better, fmt, valueAtStep } from "./series";
import { signedRankPValue } from "./signedRankTest";

export interface WilcoxonPrunerOptions {
  /** Prune when the test says "worse than the best trial" at this p-value. Default 0.1, in [0, 1]. */
  pThreshold: number;
  /** No pruning before this many instances are shared with the best trial (at least 2 anyway). Default 2. */
  nStartupSteps: number;
}

/**
 * Optuna's WilcoxonPruner, for objectives that are a mean over instances (cross-validation folds,
 * benchmark problems): each report is one instance's score and its step is the instance index.
 * The trial's scores on the instances it shares with the best COMPLETE trial are compared by a
 * one-sided Wilcoxon signed-rank test; a trial that is worse at p < pThreshold is pruned, unless
 * its mean so far is still at least as good as the best trial's mean (the test then disagrees with
 * the objective, so it is kept, as Optuna does). Instances must be evaluated in the same order in
 * every trial, or at least in an order that does not depend on the trial's quality.
 */
export class WilcoxonPruner implements Pruner {
  readonly needsHistory = true;

  constructor(private readonly opts: WilcoxonPrunerOptions) {}

  static parse(raw: PrunerOptions): WilcoxonPruner {
    const opts = { pThreshold: raw.number("pThreshold", 0.1, { min: 0, max: 1 }), nStartupSteps: raw.int("nStartupSteps", 2, 0) };
    raw.done();
    return new WilcoxonPruner(opts);
  }

  prune(study: StudyView, trial: TrialView): PruneDecision {
    const reports = trial.intermediateValues;
    if (reports.length === 0 || reports.some((r) => !Number.isFinite(r.value))) return KEEP;
    const direction = study.directions[0];
    let best: TrialView | null = null;
    for (const t of study.trials) {
      if (t.state !== "COMPLETE" || t.number === trial.number || !t.values || !Number.isFinite(t.values[0])) continue;
      if (!best || better(direction, t.values[0], best.values![0])) best = t;
    }
    if (!best || best.intermediateValues.length === 0 || best.intermediateValues.some((r) => !Number.isFinite(r.value))) return KEEP;

    const diffs: number[] = [];
    for (const r of reports) {
      const b = valueAtStep(best.intermediateValues, r.step);
      if (b !== undefined) diffs.push(r.value - b);
    }
    if (diffs.length < Math.max(2, this.opts.nStartupSteps)) return KEEP;

    const p = signedRankPValue(diffs, direction === "MAXIMIZE" ? "less" : "greater");
    if (!(p < this.opts.pThreshold)) return KEEP;
    const mean = average(reports.map((r) => r.value));
    const bestMean = average(best.intermediateValues.map((r) => r.value));
    if (!better(direction, bestMean, mean)) return KEEP;
    return prune(
      `worse than best trial ${best.number} on ${diffs.length} shared instances (Wilcoxon signed-rank p = ${fmt(p)} < ${fmt(this.opts.pThreshold)}; mean ${fmt(mean)} vs ${fmt(bestMean)})`,
    );
  }
}

function average(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
