import { Rng } from "../random";
import { binFeature, type BinnedFeature } from "./binnedFeatures";
import { varianceFractions } from "./marginalVariance";
import { finiteTrials, isSingleValued, toShares } from "./ratedParams";
import { fitRegressionTree } from "./regressionTree";
import type { ImportanceInput, ParamImportance } from "./types";

export interface FanovaOptions {
  /** Trees in the forest. Default 32 (Optuna 3.1: 64); the answer moves little beyond that. */
  nTrees?: number;
  /**
   * Deepest split. Default 12 (at most 4,096 leaves per tree; Optuna 3.1: 64): deep enough for the
   * main effects of a few parameters, and it bounds the work per trial, so that the time grows
   * linearly with the trials (bench/importance.ts).
   */
  maxDepth?: number;
  /** Fewest distinct trials in a leaf. Default 1, as Optuna. */
  minSamplesLeaf?: number;
  /** Bins per numeric parameter; parameters with fewer distinct values split exactly. Default 64. */
  maxBins?: number;
  /** Seed of the trees' bootstrap samples. Default 0: the same trials give the same answer. */
  seed?: number;
}

/**
 * fANOVA (Hutter, Hoos and Leyton-Brown 2014, "An Efficient Approach for Assessing
 * Hyperparameter Importance"), Optuna's default evaluator. A random forest of regression trees
 * learns the objective from the parameters; for each tree, a parameter's importance is the
 * fraction of the tree's variance over the whole domain that the parameter's marginal (the tree
 * averaged over every other parameter) explains alone; importances are averaged over the trees
 * and scaled to sum to 1. Interactions count for no parameter, so the shares only rank the
 * parameters' main effects.
 *
 * Conditional parameters: absence is its own value (see binnedFeatures), so a parameter missing
 * from some trials keeps every trial in the forest.
 *
 * Direction does not matter: the variance of a value and of its negation are the same. The
 * objective is used as it is, so a few huge values (diverged runs) dominate the variance; rate a
 * log of the objective or leave such trials out when that is not wanted.
 */
export function fanovaImportances(input: ImportanceInput, options: FanovaOptions = {}): ParamImportance[] {
  const trials = finiteTrials(input);
  if (trials.length < 2 || input.specs.length === 0) return [];
  const nTrees = options.nTrees ?? 32;
  const seed = options.seed ?? 0;
  const treeOptions = { maxDepth: options.maxDepth ?? 12, minSamplesSplit: 2, minSamplesLeaf: options.minSamplesLeaf ?? 1 };
  const maxBins = options.maxBins ?? 64;

  const features: BinnedFeature[] = [];
  const featureOfSpec: number[] = [];
  for (const spec of input.specs) {
    const feature = isSingleValued(spec) ? null : binFeature(spec, trials, maxBins);
    featureOfSpec.push(feature ? features.length : -1);
    if (feature) features.push(feature);
  }
  const scores = new Float64Array(features.length);
  if (features.length > 0) {
    const n = trials.length;
    // Centred targets keep the split gains' sums of squares precise for large objective values.
    let mean = 0;
    for (const t of trials) mean += t.value / n;
    const y = Float64Array.from(trials, (t) => t.value - mean);
    let counted = 0;
    for (let tree = 0; tree < nTrees; tree++) {
      const rng = Rng.derive(seed, tree);
      const weights = new Float64Array(n);
      for (let k = 0; k < n; k++) weights[rng.int(0, n - 1)]++;
      const fractions = varianceFractions(fitRegressionTree(features, y, weights, treeOptions), features);
      if (!fractions) continue;
      counted++;
      for (let j = 0; j < features.length; j++) scores[j] += fractions[j];
    }
    if (counted > 0) for (let j = 0; j < features.length; j++) scores[j] /= counted;
  }
  return toShares(
    input.specs,
    featureOfSpec.map((f) => (f < 0 ? 0 : scores[f])),
  );
}
