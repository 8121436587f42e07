/**
 * The default CMA-ES strategy parameters of Hansen's tutorial ("The CMA Evolution Strategy: A
 * Tutorial", 2016), for dimension n and population size lambda. Only positive recombination
 * weights are used (no active CMA), which keeps the covariance update positive definite by design.
 */
export interface StrategyParameters {
  mu: number;
  weights: Float64Array;
  muEff: number;
  cSigma: number;
  dSigma: number;
  cc: number;
  c1: number;
  cMu: number;
  /** E||N(0, I)||. */
  chiN: number;
}

export function strategyParameters(n: number, lambda: number): StrategyParameters {
  const mu = Math.floor(lambda / 2);
  const weights = new Float64Array(mu);
  let sum = 0;
  for (let i = 0; i < mu; i++) {
    weights[i] = Math.log((lambda + 1) / 2) - Math.log(i + 1);
    sum += weights[i];
  }
  let sumSq = 0;
  for (let i = 0; i < mu; i++) {
    weights[i] /= sum;
    sumSq += weights[i] * weights[i];
  }
  const muEff = 1 / sumSq;
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const c1 = 2 / ((n + 1.3) ** 2 + muEff);
  const cMu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  return { mu, weights, muEff, cSigma, dSigma, cc, c1, cMu, chiN };
}

/** The default population size, 4 + floor(3 ln n). */
export function defaultPopulationSize(n: number): number {
  return 4 + Math.floor(3 * Math.log(Math.max(n, 1)));
}
