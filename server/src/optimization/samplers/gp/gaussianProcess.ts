import { choleskyWithJitter, solveLower, solveLowerTransposed } from "../../linalg/cholesky";
import { matern52, matern52DerivativeWrtSquaredDistance } from "./matern52";

/** Hyperparameters of the Matérn 5/2 ARD kernel plus observation noise. */
export interface KernelParams {
  /** One inverse squared length scale per input coordinate. */
  inverseSquaredLengthscales: Float64Array;
  /** Signal variance. */
  scale: number;
  /** Observation noise variance (added to the diagonal). */
  noise: number;
}

/** Squared ARD distance between rows a and b. */
export function squaredDistance(
  xa: Float64Array,
  a: number,
  xb: Float64Array,
  b: number,
  d: number,
  isl: Float64Array,
  isCategorical: Uint8Array,
): number {
  let s = 0;
  const oa = a * d;
  const ob = b * d;
  for (let k = 0; k < d; k++) {
    const diff = xa[oa + k] - xb[ob + k];
    if (isCategorical[k]) s += diff === 0 ? 0 : isl[k];
    else s += isl[k] * diff * diff;
  }
  return s;
}

/**
 * A Gaussian-process posterior for fixed hyperparameters: inputs are n rows of d coordinates
 * (row-major), outputs standardised. Predicts the latent function (without observation noise).
 */
export class GaussianProcess {
  readonly n: number;
  private readonly chol: Float64Array;
  /** K^-1 y. */
  private readonly alpha: Float64Array;
  private readonly kBuf: Float64Array;
  private readonly vBuf: Float64Array;
  private readonly wBuf: Float64Array;
  private readonly dkBuf: Float64Array;

  constructor(
    readonly x: Float64Array,
    readonly y: Float64Array,
    readonly d: number,
    readonly params: KernelParams,
    readonly isCategorical: Uint8Array,
  ) {
    const n = y.length;
    this.n = n;
    const k = new Float64Array(n * n);
    const isl = params.inverseSquaredLengthscales;
    for (let i = 0; i < n; i++) {
      k[i * n + i] = params.scale + params.noise;
      for (let j = 0; j < i; j++) {
        const v = params.scale * matern52(squaredDistance(x, i, x, j, d, isl, isCategorical));
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    this.chol = choleskyWithJitter(k, n).l;
    this.alpha = solveLowerTransposed(this.chol, n, solveLower(this.chol, n, y));
    this.kBuf = new Float64Array(n);
    this.vBuf = new Float64Array(n);
    this.wBuf = new Float64Array(n);
    this.dkBuf = new Float64Array(n);
  }

  /** Posterior mean and variance of the latent function at one point. */
  predict(q: Float64Array): { mean: number; variance: number } {
    const { n, params } = this;
    const kq = this.kBuf;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      kq[i] = params.scale * matern52(this.distanceTo(q, i));
      mean += kq[i] * this.alpha[i];
    }
    return { mean, variance: this.variance(kq) };
  }

  /**
   * Like `predict`, also writing d mean / dq and d variance / dq into the given arrays. Gradients
   * of categorical coordinates are left at zero (the kernel is flat between equal choices).
   */
  predictWithGradient(q: Float64Array, dMean: Float64Array, dVariance: Float64Array): { mean: number; variance: number } {
    const { n, d, params, x } = this;
    const isl = params.inverseSquaredLengthscales;
    const kq = this.kBuf;
    const dk = this.dkBuf;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const d2 = this.distanceTo(q, i);
      kq[i] = params.scale * matern52(d2);
      dk[i] = params.scale * matern52DerivativeWrtSquaredDistance(d2);
      mean += kq[i] * this.alpha[i];
    }
    const variance = this.variance(kq);
    const w = solveLowerTransposed(this.chol, n, this.vBuf, this.wBuf);
    // dk_i/dq_c = dk_i/dd2 * 2 isl_c (q_c - x_ic); dvar = -2 w . dk.
    dMean.fill(0);
    dVariance.fill(0);
    for (let i = 0; i < n; i++) {
      const a = dk[i] * this.alpha[i];
      const b = dk[i] * w[i];
      const row = i * d;
      for (let c = 0; c < d; c++) {
        if (this.isCategorical[c]) continue;
        const g = 2 * isl[c] * (q[c] - x[row + c]);
        dMean[c] += a * g;
        dVariance[c] -= 2 * b * g;
      }
    }
    return { mean, variance };
  }

  private distanceTo(q: Float64Array, i: number): number {
    const { d, x, isCategorical } = this;
    const isl = this.params.inverseSquaredLengthscales;
    const row = i * d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const diff = q[c] - x[row + c];
      if (isCategorical[c]) s += diff === 0 ? 0 : isl[c];
      else s += isl[c] * diff * diff;
    }
    return s;
  }

  /** scale - k^T K^-1 k through L^-1 k (left in vBuf for the gradient). */
  private variance(kq: Float64Array): number {
    const { n } = this;
    const l = this.chol;
    const v = this.vBuf;
    let vv = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s = kq[i];
      for (let k = 0; k < i; k++) s -= l[ri + k] * v[k];
      const vi = s / l[ri + i];
      v[i] = vi;
      vv += vi * vi;
    }
    return Math.max(this.params.scale - vv, 1e-12 * this.params.scale);
  }
}
