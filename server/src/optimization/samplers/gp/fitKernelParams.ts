import { choleskyInverse, choleskyWithJitter, solveLower, solveLowerTransposed } from "../../linalg/cholesky";
import { minimizeInBox } from "./boxedLbfgs";
import type { KernelParams } from "./gaussianProcess";
import { coordinateDelta2, matern52, matern52DerivativeWrtSquaredDistance } from "./matern52";

/**
 * Fits the kernel hyperparameters by maximising log marginal likelihood + log prior (MAP), in the
 * log-parameterised space raw = [log isl_1..d, log scale, log(noise - minNoise)]. The priors are
 * Optuna's GPSampler ones: a penalty pulling each isl towards 1 (-(0.1/isl + 0.1 isl)),
 * Gamma(2, 1) on the signal variance and Gamma(1.1, 30) on the noise, which keeps small data sets
 * from being explained by pure noise or absurdly short length scales.
 */

export interface KernelFitOptions {
  /** Noise floor added to the fitted noise variance. Default 1e-6. */
  minNoise?: number;
  /** Fix the noise at the floor (for objectives known to be deterministic). Default false. */
  deterministic?: boolean;
  /** Optimiser iteration cap. Default 80. */
  maxIterations?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);
const RAW_ISL_BOUNDS: [number, number] = [Math.log(1e-4), Math.log(1e5)];
const RAW_SCALE_BOUNDS: [number, number] = [Math.log(1e-3), Math.log(1e3)];
const RAW_NOISE_BOUNDS: [number, number] = [Math.log(1e-9), Math.log(10)];

/** Starting point when nothing was fitted before: unit length scales, unit variance, some noise. */
export function defaultRawKernelParams(d: number): Float64Array {
  const raw = new Float64Array(d + 2);
  raw[d] = 0;
  raw[d + 1] = Math.log(0.01);
  return raw;
}

export function rawToKernelParams(raw: ArrayLike<number>, d: number, minNoise: number, deterministic: boolean): KernelParams {
  const isl = new Float64Array(d);
  for (let k = 0; k < d; k++) isl[k] = Math.exp(raw[k]);
  return { inverseSquaredLengthscales: isl, scale: Math.exp(raw[d]), noise: minNoise + (deterministic ? 0 : Math.exp(raw[d + 1])) };
}

/** Fits the hyperparameters, starting from `initial` (e.g. the last fit) when given. */
export function fitKernelParams(
  x: Float64Array,
  y: Float64Array,
  d: number,
  isCategorical: Uint8Array,
  initial: ArrayLike<number> | null,
  options: KernelFitOptions = {},
): { raw: Float64Array; params: KernelParams } {
  const minNoise = options.minNoise ?? 1e-6;
  const deterministic = options.deterministic ?? false;
  const n = y.length;
  // Pairwise per-coordinate squared differences, computed once for every evaluation.
  const pairs = (n * (n - 1)) / 2;
  const delta2 = new Float64Array(pairs * d);
  for (let i = 0, p = 0; i < n; i++) {
    for (let j = 0; j < i; j++, p++) {
      for (let k = 0; k < d; k++) delta2[p * d + k] = coordinateDelta2(x[i * d + k], x[j * d + k], isCategorical[k] === 1);
    }
  }
  const kMat = new Float64Array(n * n);
  const mPrime = new Float64Array(pairs);
  const kf = new Float64Array(pairs);

  const objective = (raw: Float64Array, grad: Float64Array): number => {
    const params = rawToKernelParams(raw, d, minNoise, deterministic);
    const isl = params.inverseSquaredLengthscales;
    const s = params.scale;
    const diag = s + params.noise;
    for (let i = 0, p = 0; i < n; i++) {
      kMat[i * n + i] = diag;
      for (let j = 0; j < i; j++, p++) {
        let d2 = 0;
        const o = p * d;
        for (let k = 0; k < d; k++) d2 += isl[k] * delta2[o + k];
        const v = s * matern52(d2);
        kf[p] = v;
        mPrime[p] = s * matern52DerivativeWrtSquaredDistance(d2);
        kMat[i * n + j] = v;
        kMat[j * n + i] = v;
      }
    }
    let l: Float64Array;
    try {
      l = choleskyWithJitter(kMat, n, 1e-10, 4).l;
    } catch {
      grad.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    const alpha = solveLowerTransposed(l, n, solveLower(l, n, y));
    let logDet = 0;
    let fit = 0;
    for (let i = 0; i < n; i++) {
      logDet += Math.log(l[i * n + i]);
      fit += y[i] * alpha[i];
    }
    const logLikelihood = -0.5 * fit - logDet - 0.5 * n * LOG_2PI;

    // d logL / d theta = 0.5 tr(W dK/dtheta) with W = alpha alpha^T - K^-1.
    const kInv = choleskyInverse(l, n);
    grad.fill(0);
    let traceW = 0;
    let scaleTerm = 0;
    for (let i = 0, p = 0; i < n; i++) {
      traceW += alpha[i] * alpha[i] - kInv[i * n + i];
      for (let j = 0; j < i; j++, p++) {
        const w = alpha[i] * alpha[j] - kInv[i * n + j];
        scaleTerm += w * kf[p];
        const gw = w * mPrime[p];
        const o = p * d;
        for (let k = 0; k < d; k++) grad[k] += gw * delta2[o + k];
      }
    }
    // Off-diagonal pairs appear twice in the trace, which cancels the 0.5.
    for (let k = 0; k < d; k++) grad[k] *= isl[k];
    grad[d] = scaleTerm + 0.5 * traceW * s;
    grad[d + 1] = deterministic ? 0 : 0.5 * traceW * (params.noise - minNoise);

    let logPrior = 0;
    for (let k = 0; k < d; k++) {
      logPrior -= 0.1 / isl[k] + 0.1 * isl[k];
      grad[k] += 0.1 / isl[k] - 0.1 * isl[k];
    }
    logPrior += Math.log(s) - s;
    grad[d] += 1 - s;
    if (!deterministic) {
      const nv = params.noise;
      logPrior += 0.1 * Math.log(nv) - 30 * nv;
      grad[d + 1] += (0.1 / nv - 30) * (nv - minNoise);
    }
    for (let k = 0; k < d + 2; k++) grad[k] = -grad[k];
    return -(logLikelihood + logPrior);
  };

  const lower = new Float64Array(d + 2);
  const upper = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) [lower[k], upper[k]] = RAW_ISL_BOUNDS;
  [lower[d], upper[d]] = RAW_SCALE_BOUNDS;
  [lower[d + 1], upper[d + 1]] = RAW_NOISE_BOUNDS;
  // A warm start (the last fit) can sit in a stale basin after the data changed: start from
  // whichever of it and the default start is better now.
  const grad = new Float64Array(d + 2);
  let start = defaultRawKernelParams(d);
  if (initial && initial.length === d + 2) {
    const warm = Float64Array.from(initial, (v, k) => Math.min(upper[k], Math.max(lower[k], v)));
    if (objective(warm, grad) <= objective(start, grad)) start = warm;
  }
  const best = minimizeInBox(objective, start, lower, upper, { gtol: 1e-2, maxIterations: options.maxIterations ?? 80 });
  return { raw: best.x, params: rawToKernelParams(best.x, d, minNoise, deterministic) };
}
