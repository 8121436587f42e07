import type { Rng } from "../../random";
import { LOG_SQRT_2PI, logGaussMass } from "./truncnorm";

/** One dimension of a Parzen estimator, in the sampler's internal coordinates. */
export type KernelDimension =
  | {
      kind: "numeric";
      /** Internal bounds: log scale for log parameters, widened by half a step for stepped ones. */
      low: number;
      high: number;
      /** Width of a value's cell for stepped (non-log) parameters; null for continuous ones. */
      step: number | null;
    }
  | { kind: "categorical"; choices: number };

/** Options shared by every estimator of one ask (Optuna's _ParzenEstimatorParameters). */
export interface ParzenOptions {
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
  /** Joint kernels with Scott's-rule bandwidth instead of per-dimension neighbour distances. */
  multivariate: boolean;
  /** Multiplier of the multivariate bandwidth (Optuna: 0.2). */
  bandwidthFactor: number;
}

/**
 * A mixture of product kernels: one component per observation plus a broad prior component.
 * Numeric dimensions use truncated normals (integrated over the cell for stepped values);
 * categorical dimensions use Optuna's smoothed one-hot rows. Data lives in typed arrays so that
 * scoring candidates against a thousand components takes microseconds.
 */
export class ParzenEstimator {
  readonly size: number;
  private readonly logWeights: Float64Array;
  private readonly cumulativeWeights: Float64Array;
  private readonly mus: Float64Array[] = [];
  private readonly sigmas: Float64Array[] = [];
  private readonly invSigmas: Float64Array[] = [];
  /** Per component: -log sqrt(2 pi) - log(mass inside the bounds). */
  private readonly logNorms: Float64Array[] = [];
  /** Per component: log(mass inside the bounds), for stepped dimensions. */
  private readonly logAccepts: Float64Array[] = [];
  /** Row-major (component x choice) probabilities and their logs, for categorical dimensions. */
  private readonly catProbs: Float64Array[] = [];
  private readonly catLogProbs: Float64Array[] = [];
  private readonly scratch: Float64Array;

  /**
   * @param dims the dimensions modelled.
   * @param observations per dimension, the observed internal values (categorical: choice index).
   * @param obsWeights one non-negative weight per observation (before the prior is added).
   */
  constructor(
    readonly dims: KernelDimension[],
    observations: Float64Array[],
    obsWeights: Float64Array,
    options: ParzenOptions,
  ) {
    const nObs = obsWeights.length;
    const n = nObs + 1;
    this.size = n;
    const weights = new Float64Array(n);
    weights.set(obsWeights);
    weights[nObs] = options.priorWeight;
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    this.logWeights = new Float64Array(n);
    this.cumulativeWeights = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      weights[i] /= total;
      this.logWeights[i] = Math.log(weights[i]);
      acc += weights[i];
      this.cumulativeWeights[i] = acc;
    }
    this.scratch = new Float64Array(n);

    const sigma0 = options.bandwidthFactor * Math.max(nObs, 1) ** (-1 / (dims.length + 4));
    dims.forEach((dim, d) => {
      const obs = observations[d];
      if (dim.kind === "categorical") {
        const k = dim.choices;
        const probs = new Float64Array(n * k);
        const base = options.priorWeight / n;
        probs.fill(base);
        for (let i = 0; i < nObs; i++) probs[i * k + obs[i]] += 1;
        for (let i = 0; i < n; i++) {
          let rowSum = 0;
          for (let c = 0; c < k; c++) rowSum += probs[i * k + c];
          for (let c = 0; c < k; c++) probs[i * k + c] /= rowSum;
        }
        const logs = new Float64Array(n * k);
        for (let j = 0; j < n * k; j++) logs[j] = Math.log(probs[j]);
        this.catProbs[d] = probs;
        this.catLogProbs[d] = logs;
        return;
      }
      const { low, high } = dim;
      const range = high - low;
      const mus = new Float64Array(n);
      mus.set(obs.subarray(0, nObs));
      mus[nObs] = 0.5 * (low + high);
      const sigmas = new Float64Array(n);
      if (options.multivariate) {
        sigmas.fill(sigma0 * range);
      } else {
        neighbourBandwidths(mus, low, high, options.considerEndpoints, sigmas);
      }
      const minSigma = options.considerMagicClip ? range / Math.min(100, 1 + n) : 1e-12;
      for (let i = 0; i < n; i++) sigmas[i] = Math.min(range, Math.max(minSigma, sigmas[i]));
      sigmas[nObs] = range;
      const logNorm = new Float64Array(n);
      const logAccept = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const accept = logGaussMass((low - mus[i]) / sigmas[i], (high - mus[i]) / sigmas[i]);
        logAccept[i] = accept;
        // Like Optuna 3.1's truncnorm.logpdf, continuous kernels are not divided by their width:
        // wide kernels in sparsely sampled regions keep more say, which measured better here
        // (bench/samplers.ts: rosenbrock4 and hartmann6) than the normalised density.
        logNorm[i] = -LOG_SQRT_2PI - accept;
      }
      this.mus[d] = mus;
      this.sigmas[d] = sigmas;
      this.invSigmas[d] = sigmas.map((v) => 1 / v);
      this.logNorms[d] = logNorm;
      this.logAccepts[d] = logAccept;
    });
  }

  /** Draws one component index by weight. */
  pickComponent(rng: Rng): number {
    const r = rng.random();
    const cw = this.cumulativeWeights;
    let lo = 0;
    let hi = cw.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cw[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Draws dimension d of component i (continuous; the caller snaps it onto the parameter's grid). */
  sampleDimension(d: number, i: number, rng: Rng): number {
    const dim = this.dims[d];
    if (dim.kind === "categorical") {
      const k = dim.choices;
      const probs = this.catProbs[d];
      let r = rng.random();
      for (let c = 0; c < k; c++) {
        r -= probs[i * k + c];
        if (r < 0) return c;
      }
      return k - 1;
    }
    const mu = this.mus[d][i];
    const sigma = this.sigmas[d][i];
    // Rejection from the untruncated normal: its mean lies inside the bounds, so at least about a
    // third of the draws are accepted even for the widest kernel.
    for (let attempt = 0; attempt < 64; attempt++) {
      const x = mu + sigma * rng.normal();
      if (x >= dim.low && x <= dim.high) return x;
    }
    return Math.min(dim.high, Math.max(dim.low, mu));
  }

  /**
   * log density of each of `count` candidates. `values[d][c]` is candidate c's internal value in
   * dimension d, already on the parameter's grid. Writes into `out`.
   */
  logPdf(values: Float64Array[], count: number, out: Float64Array): void {
    const n = this.size;
    const acc = this.scratch;
    for (let c = 0; c < count; c++) {
      acc.set(this.logWeights);
      for (let d = 0; d < this.dims.length; d++) {
        const dim = this.dims[d];
        const x = values[d][c];
        if (dim.kind === "categorical") {
          const k = dim.choices;
          const logs = this.catLogProbs[d];
          for (let i = 0; i < n; i++) acc[i] += logs[i * k + x];
          continue;
        }
        const mus = this.mus[d];
        const sigmas = this.sigmas[d];
        if (dim.step === null) {
          const logNorm = this.logNorms[d];
          const inv = this.invSigmas[d];
          for (let i = 0; i < n; i++) {
            const z = (x - mus[i]) * inv[i];
            acc[i] += logNorm[i] - 0.5 * z * z;
          }
        } else {
          const logAccept = this.logAccepts[d];
          const q = dim.step;
          const lo = Math.max(dim.low, x - q / 2);
          const hi = Math.min(dim.high, x + q / 2);
          const half = 0.5 * (hi - lo);
          const mid = 0.5 * (hi + lo);
          for (let i = 0; i < n; i++) {
            acc[i] += cellLogMass(mid, half, mus[i], sigmas[i]) - logAccept[i];
          }
        }
      }
      let max = -Infinity;
      for (let i = 0; i < n; i++) if (acc[i] > max) max = acc[i];
      if (max === -Infinity) {
        out[c] = -Infinity;
        continue;
      }
      // Terms more than e^-40 below the largest cannot change the sum in double precision; most
      // components are that far from a candidate, so skipping their exp is the main saving.
      const cutoff = max - 40;
      let sum = 0;
      for (let i = 0; i < n; i++) if (acc[i] > cutoff) sum += Math.exp(acc[i] - max);
      out[c] = max + Math.log(sum);
    }
  }
}

/**
 * log of the normal(mu, sigma) mass of [mid - half, mid + half]. When the cell is narrow next to
 * sigma and close to mu, a series (log h*phi(z) + a^2/6 - h^2/24, with h the cell width and
 * a = z*h/2, both in sigmas) matches the exact erf-based value to ~1e-5 at a tenth of the cost.
 */
function cellLogMass(mid: number, half: number, mu: number, sigma: number): number {
  const z = (mid - mu) / sigma;
  const h = (2 * half) / sigma;
  const a = 0.5 * z * h;
  if (h < 0.5 && a < 0.3 && a > -0.3) {
    return Math.log(h) - 0.5 * z * z - LOG_SQRT_2PI + (a * a) / 6 - (h * h) / 24;
  }
  return logGaussMass((mid - half - mu) / sigma, (mid + half - mu) / sigma);
}

/**
 * Optuna's univariate bandwidth: the larger distance to either sorted neighbour, with the bounds
 * as outer neighbours; without consider_endpoints the outermost kernels use their inner neighbour.
 */
function neighbourBandwidths(mus: Float64Array, low: number, high: number, considerEndpoints: boolean, out: Float64Array): void {
  const n = mus.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => mus[a] - mus[b]);
  const sorted = new Float64Array(n + 2);
  sorted[0] = low;
  for (let i = 0; i < n; i++) sorted[i + 1] = mus[order[i]];
  sorted[n + 1] = high;
  const sigmas = new Float64Array(n);
  for (let i = 0; i < n; i++) sigmas[i] = Math.max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
  if (!considerEndpoints && n + 2 >= 4) {
    sigmas[0] = sorted[2] - sorted[1];
    sigmas[n - 1] = sorted[n] - sorted[n - 1];
  }
  for (let i = 0; i < n; i++) out[order[i]] = sigmas[i];
}
