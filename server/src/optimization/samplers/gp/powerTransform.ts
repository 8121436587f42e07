/**
 * Yeo-Johnson power transform of standardised outputs, with lambda fitted by maximum likelihood
 * (as HEBO does). Objectives such as losses with rare huge values (Rosenbrock-like valleys,
 * diverged runs) are far from Gaussian; after the transform the GP spends its variance on the
 * region that matters instead of on a few outliers. The transform is monotone, so the ranking of
 * trials, and hence the incumbent, is unchanged.
 */

export function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) return Math.abs(lambda) < 1e-8 ? Math.log1p(y) : ((y + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-8 ? -Math.log1p(-y) : -((1 - y) ** (2 - lambda) - 1) / (2 - lambda);
}

/** Profile log-likelihood of lambda for Gaussian transformed data. */
function logLikelihood(y: ArrayLike<number>, lambda: number): number {
  const n = y.length;
  let mean = 0;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = yeoJohnson(y[i], lambda);
    mean += t[i];
  }
  mean /= n;
  let variance = 0;
  let jacobian = 0;
  for (let i = 0; i < n; i++) {
    variance += (t[i] - mean) ** 2;
    jacobian += Math.sign(y[i]) * Math.log1p(Math.abs(y[i]));
  }
  variance /= n;
  if (!(variance > 0)) return Number.NEGATIVE_INFINITY;
  return -0.5 * n * Math.log(variance) + (lambda - 1) * jacobian;
}

/**
 * Standardises, fits lambda in [-2, 4] (a grid, then a golden-section polish), transforms and
 * standardises again. Returns the transformed values.
 */
export function powerTransform(values: ArrayLike<number>): Float64Array {
  const z = standardizeArray(values);
  let bestLambda = 1;
  let best = logLikelihood(z, 1);
  for (let lambda = -2; lambda <= 4 + 1e-9; lambda += 0.25) {
    const ll = logLikelihood(z, lambda);
    if (ll > best) {
      best = ll;
      bestLambda = lambda;
    }
  }
  let lo = bestLambda - 0.25;
  let hi = bestLambda + 0.25;
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 30; it++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (logLikelihood(z, a) > logLikelihood(z, b)) hi = b;
    else lo = a;
  }
  const polished = 0.5 * (lo + hi);
  const lambda = logLikelihood(z, polished) > best ? polished : bestLambda;
  return standardizeArray(Array.from(z, (v) => yeoJohnson(v, lambda)));
}

/** (v - mean) / std with a floor on std. */
export function standardizeArray(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2;
  const std = Math.max(Math.sqrt(variance / n), 1e-10);
  return Float64Array.from({ length: n }, (_, i) => (values[i] - mean) / std);
}
