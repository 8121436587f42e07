import type { ParamSpec } from "../types";
import { paramGrid } from "./paramGrid";
import { finiteTrials, hasParam, isSingleValued, toShares } from "./ratedParams";
import { cellProbabilities } from "./scottParzenEstimator";
import { topQuantileMask } from "./topQuantile";
import type { ImportanceInput, ImportanceTrial, ParamImportance } from "./types";

export interface PedAnovaOptions {
  /**
   * Rate what it takes to reach the best this fraction of trials (at least `minTopTrials` of
   * them). Default 0.1, Optuna's: the importances say which parameters set the top 10% apart.
   */
  baselineQuantile?: number;
  /**
   * Compare the top trials with all trials (true: what mattered among the trials the study ran,
   * the right view for a sampler that focused its search) or with the whole declared range
   * (false). Default true, as Optuna.
   */
  evaluateOnLocal?: boolean;
  /** Grid points of a continuous parameter's range; stepped and log-integer ones may use fewer. Default 50. */
  gridSize?: number;
  /** Weight of the estimators' flat prior against a weight of 1 per trial. Default 1. */
  priorWeight?: number;
  /** The fewest trials counted as top; a parameter seen in no more trials than this rates 0. Default 2. */
  minTopTrials?: number;
}

/**
 * PED-ANOVA (Watanabe et al. 2023, "PED-ANOVA: Efficiently Quantifying Hyperparameter Importance
 * in Arbitrary Subspaces"). A parameter's importance is the Pearson divergence between the
 * distribution of its values among the top trials and among all trials (or the uniform one), each
 * a Parzen estimate on the parameter's grid (see paramGrid and cellProbabilities). A parameter
 * whose top values look like any values rates near 0.
 *
 * Conditional parameters are rated on the trials that used them: the top trials are the best
 * quantile of those trials, so the importance says how much the value mattered where the
 * parameter existed. Whether it should exist at all is the importance of its parent.
 *
 * Linear in the number of trials per parameter, apart from one sort.
 */
export function pedAnovaImportances(input: ImportanceInput, options: PedAnovaOptions = {}): ParamImportance[] {
  const trials = finiteTrials(input);
  if (trials.length < 2 || input.specs.length === 0) return [];
  const sign = input.direction === "MAXIMIZE" ? -1 : 1;
  const quantile = options.baselineQuantile ?? 0.1;
  const minTop = options.minTopTrials ?? 2;
  // The top trials among all of them, shared by every parameter that all trials have.
  let topOfAll: Uint8Array | null = null;
  const topOf = (losses: number[]) =>
    losses.length === trials.length ? (topOfAll ??= topQuantileMask(losses, quantile, minTop)) : topQuantileMask(losses, quantile, minTop);
  const scores = input.specs.map((spec) => (isSingleValued(spec) ? 0 : pearsonDivergence(spec, trials, sign, topOf, options)));
  return toShares(input.specs, scores);
}

function pearsonDivergence(
  spec: ParamSpec,
  allTrials: ImportanceTrial[],
  sign: number,
  topOf: (losses: number[]) => Uint8Array,
  options: PedAnovaOptions,
): number {
  const minTop = options.minTopTrials ?? 2;
  const priorWeight = options.priorWeight ?? 1;
  const grid = paramGrid(spec, options.gridSize ?? 50);
  const cells: number[] = [];
  const losses: number[] = [];
  for (const t of allTrials) {
    if (!hasParam(t, spec.name)) continue;
    const cell = grid.cellOf(t.params[spec.name]);
    if (cell < 0) continue;
    cells.push(cell);
    losses.push(sign * t.value);
  }
  if (cells.length <= minTop) return 0;
  const top = topOf(losses);
  const topCounts = new Float64Array(grid.size);
  const allCounts = new Float64Array(grid.size);
  for (let i = 0; i < cells.length; i++) {
    allCounts[cells[i]]++;
    if (top[i]) topCounts[cells[i]]++;
  }
  const pTop = cellProbabilities(topCounts, grid.categorical, priorWeight);
  const pBase = options.evaluateOnLocal === false ? new Float64Array(grid.size).fill(1 / grid.size) : cellProbabilities(allCounts, grid.categorical, priorWeight);
  let divergence = 0;
  for (let k = 0; k < grid.size; k++) {
    // The 1e-12 floor keeps the ratio finite, as in Optuna.
    const base = pBase[k] + 1e-12;
    const ratio = (pTop[k] + 1e-12) / base - 1;
    divergence += base * ratio * ratio;
  }
  return divergence;
}
