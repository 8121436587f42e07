/**
 * Numerically stable log expected improvement (Ament et al. 2023, "Unexpected improvements to
 * expected improvement"). With z = (mu - best) / sigma, EI = sigma * h(z), h(z) = phi(z) + z Phi(z).
 * Plain EI underflows to exactly 0 once z < -38 or so, leaving the acquisition optimiser with flat
 * regions; log h stays finite and smooth for any z, so gradients keep pointing somewhere useful.
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TAIL = -3;

/** Standard normal density. */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Standard normal CDF with good relative accuracy in both tails. */
export function normalCdf(z: number): number {
  if (z <= TAIL) return normalPdf(z) / millsContinuedFraction(-z).t0;
  if (z >= -TAIL) return 1 - normalPdf(z) / millsContinuedFraction(z).t0;
  const e = erfSeries(Math.abs(z) / Math.SQRT2);
  return z >= 0 ? 0.5 + 0.5 * e : 0.5 - 0.5 * e;
}

/** log h(z) and its derivative d log h / dz. */
export function logH(z: number): { value: number; derivative: number } {
  if (z < TAIL) {
    // h(-t) = phi(t) (1 - t R(t)) with R the Mills ratio 1 / T0 and 1 - t / T0 = 1 / (T0 T1):
    // a product of positive terms, no cancellation however far into the tail.
    const t = -z;
    const { t0, t1 } = millsContinuedFraction(t);
    return { value: -0.5 * t * t - LOG_SQRT_2PI - Math.log(t0) - Math.log(t1), derivative: t1 };
  }
  const cdf = normalCdf(z);
  const h = normalPdf(z) + z * cdf;
  return { value: Math.log(h), derivative: cdf / h };
}

/** log EI for maximisation given the posterior mean and standard deviation, with d/dmu and d/dsigma. */
export function logExpectedImprovement(mu: number, sigma: number, best: number): { value: number; dMu: number; dSigma: number } {
  const z = (mu - best) / sigma;
  const lh = logH(z);
  return {
    value: Math.log(sigma) + lh.value,
    dMu: lh.derivative / sigma,
    dSigma: 1 / sigma - (lh.derivative * z) / sigma,
  };
}

/**
 * Laplace's continued fraction for the Mills ratio, R(t) = 1 / (t + 1 / (t + 2 / (t + 3 / ...))),
 * for t >= 3. Returns the denominators T0 = t + 1 / T1 and T1 = t + 2 / T2.
 */
function millsContinuedFraction(t: number): { t0: number; t1: number } {
  const terms = t < 6 ? 160 : t < 20 ? 60 : 20;
  let tk = t;
  for (let k = terms; k >= 2; k--) tk = t + k / tk;
  const t1 = tk;
  return { t0: t + 1 / t1, t1 };
}

/** erf(x) for 0 <= x <= ~2.2 by a series of positive terms (no cancellation). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}
