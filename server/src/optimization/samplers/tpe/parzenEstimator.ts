import type { Rng } from "../../random";
import { neighbourBandwidths } from "./bandwidths";
import { erfcInto, LOG_SQRT_2PI, logGaussMass } from "./truncnorm";

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

/**
 * The normalised weights of a mixture's components: one per observation, then the prior's. They
 * depend only on the observations' weights, so the estimators of one ask that see the same
 * number of trials share one instance.
 */
export class MixtureWeights {
  readonly weights: Float64Array;
  readonly logWeights: Float64Array;
  /** Running sums of `weights`, for drawing a component. */
  readonly cumulative: Float64Array;

  /**
   * @param obsWeights one non-negative weight per observation.
   * @param priorWeight the prior component's weight, on the same scale.
   */
  constructor(obsWeights: Float64Array, priorWeight: number) {
    const nObs = obsWeights.length;
    const n = nObs + 1;
    const weights = new Float64Array(n);
    weights.set(obsWeights);
    weights[nObs] = priorWeight;
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    this.logWeights = new Float64Array(n);
    this.cumulative = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      weights[i] /= total;
      this.logWeights[i] = Math.log(weights[i]);
      acc += weights[i];
      this.cumulative[i] = acc;
    }
    this.weights = weights;
  }
}

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
 * Beyond this many sigmas from a bound, the normal mass past it (< 1.2e-19) cannot change any
 * term it is added to, so the truncation constant is taken as exactly 1 without an erfc.
 */
const FAR_Z = 9;
/** Terms this far below a candidate's largest cannot change its log-sum-exp in double precision. */
const NEGLIGIBLE = 40;
/** Components per block of a BlockedKernels, and the fewest components worth blocking. */
const BLOCK = 32;
const BLOCKED_MIN_SIZE = 4 * BLOCK;

/** Per-dimension scoring data, in the layout `logPdf` streams through. */
type ScoringDimension =
  | { kind: "continuous"; mus: Float64Array; invSigmas: Float64Array; logNorms: Float64Array }
  | { kind: "tabulated"; ids: Int32Array; table: KernelTable };

/**
 * A dimension whose kernels take few distinct shapes (stepped numerics, categoricals): each
 * component points at one row of a small table, filled once per candidate value.
 */
interface KernelTable {
  size: number;
  /** Writes each distinct kernel's log density at internal value x into out[0..size). */
  fill(x: number, out: Float64Array): void;
}

/**
 * A mixture of product kernels: one component per observation plus a broad prior component.
 * Numeric dimensions use truncated normals (integrated over the cell for stepped values);
 * categorical dimensions use Optuna's smoothed one-hot rows.
 *
 * Everything is laid out once per ask in flat typed arrays, and scoring streams through them
 * candidate by candidate without allocating per component. Stepped and categorical dimensions
 * look their terms up in tables of distinct kernels, filled once per candidate value; when every
 * dimension is such, identical components are merged (summing their weights), so a univariate
 * estimator of an integer or categorical parameter scores a few dozen kernels however long the
 * history. A univariate continuous estimator with a long history scores by blocks (BlockedKernels).
 */
export class ParzenEstimator {
  readonly size: number;
  private readonly cumulativeWeights: Float64Array;
  /** Numeric dimensions: each component's centre and width (the prior component last). */
  private readonly mus: Float64Array[] = [];
  private readonly sigmas: Float64Array[] = [];
  /** Categorical dimensions: each component's observed choice, -1 for the prior. */
  private readonly observedChoices: Int32Array[] = [];
  /** Categorical dimensions: the smoothed one-hot probabilities, by observed choice. */
  private readonly categorical: CategoricalKernels[] = [];
  private readonly scoring: ScoringDimension[] = [];
  private readonly scoringLogWeights: Float64Array;
  private readonly scratch: Float64Array;
  /** A univariate continuous estimator with many components scores through this. */
  private readonly blocked: BlockedKernels | null = null;

  /**
   * @param dims the dimensions modelled.
   * @param observations per dimension, the observed internal values (categorical: choice index).
   * @param mixture the components' weights: the observations' and the prior's (see MixtureWeights).
   */
  constructor(
    readonly dims: KernelDimension[],
    observations: Float64Array[],
    mixture: MixtureWeights,
    options: ParzenOptions,
  ) {
    const n = mixture.weights.length;
    const nObs = n - 1;
    this.size = n;
    const { weights, logWeights } = mixture;
    this.cumulativeWeights = mixture.cumulative;

    const sigma0 = options.bandwidthFactor * Math.max(nObs, 1) ** (-1 / (dims.length + 4));
    for (let d = 0; d < dims.length; d++) {
      const dim = dims[d];
      const obs = observations[d];
      if (dim.kind === "categorical") {
        const choices = new Int32Array(n);
        for (let i = 0; i < nObs; i++) choices[i] = obs[i];
        choices[nObs] = -1;
        const kernels = new CategoricalKernels(dim.choices, options.priorWeight / n);
        this.observedChoices[d] = choices;
        this.categorical[d] = kernels;
        // Table rows: one per choice observed, the prior's last.
        const ids = new Int32Array(n);
        for (let i = 0; i < n; i++) ids[i] = choices[i] < 0 ? dim.choices : choices[i];
        this.scoring[d] = { kind: "tabulated", ids, table: kernels };
        continue;
      }
      const { low, high } = dim;
      const range = high - low;
      const mus = new Float64Array(n);
      mus.set(obs.subarray(0, nObs));
      mus[nObs] = 0.5 * (low + high);
      const sigmas = new Float64Array(n);
      let order: Int32Array | null = null;
      if (options.multivariate) sigmas.fill(sigma0 * range);
      else order = neighbourBandwidths(mus, low, high, options.considerEndpoints, sigmas);
      const minSigma = options.considerMagicClip ? range / Math.min(100, 1 + n) : 1e-12;
      for (let i = 0; i < n; i++) sigmas[i] = Math.min(range, Math.max(minSigma, sigmas[i]));
      sigmas[nObs] = range;
      this.mus[d] = mus;
      this.sigmas[d] = sigmas;
      if (dim.step === null) {
        const invSigmas = new Float64Array(n);
        const logNorms = new Float64Array(n);
        logMassesInside(low, high, mus, sigmas, logNorms);
        for (let i = 0; i < n; i++) {
          invSigmas[i] = 1 / sigmas[i];
          // Like Optuna 3.1's truncnorm.logpdf, continuous kernels are not divided by their width:
          // wide kernels in sparsely sampled regions keep more say, which measured better here
          // (bench/samplers.ts: rosenbrock4 and hartmann6) than the normalised density.
          logNorms[i] = -LOG_SQRT_2PI - logNorms[i];
        }
        this.scoring[d] = { kind: "continuous", mus, invSigmas, logNorms };
        if (dims.length === 1 && order && n >= BLOCKED_MIN_SIZE) this.blocked = new BlockedKernels(order, mus, invSigmas, sigmas, logNorms, logWeights);
      } else {
        const table = new SteppedKernels(dim.low, dim.high, dim.step, mus, sigmas);
        this.scoring[d] = { kind: "tabulated", ids: table.ids, table };
      }
    }

    // When every dimension is tabulated, components with the same row in every table are one kernel.
    const merged = this.scoring.every((s) => s.kind === "tabulated") ? mergeIdenticalComponents(this.scoring as TabulatedDimension[], weights) : null;
    if (merged) {
      this.scoring = merged.scoring;
      this.scoringLogWeights = merged.logWeights;
    } else {
      this.scoringLogWeights = logWeights;
    }
    this.scratch = new Float64Array(this.scoringLogWeights.length);
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
    if (dim.kind === "categorical") return this.categorical[d].sample(this.observedChoices[d][i], rng);
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
    if (this.blocked) {
      for (let c = 0; c < count; c++) out[c] = this.blocked.logPdf(values[0][c]);
      return;
    }
    const acc = this.scratch;
    const n = acc.length;
    const scoring = this.scoring;
    // Candidates drawn from a few grid values or choices share their tables.
    const tables = scoring.map((s) => (s.kind === "tabulated" ? new Map<number, Float64Array>() : null));
    for (let c = 0; c < count; c++) {
      acc.set(this.scoringLogWeights);
      for (let d = 0; d < scoring.length; d++) {
        const s = scoring[d];
        const x = values[d][c];
        if (s.kind === "continuous") {
          const { mus, invSigmas, logNorms } = s;
          for (let i = 0; i < n; i++) {
            const z = (x - mus[i]) * invSigmas[i];
            acc[i] += logNorms[i] - 0.5 * z * z;
          }
        } else {
          let table = tables[d]!.get(x);
          if (!table) {
            table = new Float64Array(s.table.size);
            s.table.fill(x, table);
            tables[d]!.set(x, table);
          }
          const ids = s.ids;
          for (let i = 0; i < n; i++) acc[i] += table[ids[i]];
        }
      }
      let max = -Infinity;
      for (let i = 0; i < n; i++) if (acc[i] > max) max = acc[i];
      if (max === -Infinity) {
        out[c] = -Infinity;
        continue;
      }
      // Most components are far from a candidate; skipping their exp is the main saving.
      const cutoff = max - NEGLIGIBLE;
      let sum = 0;
      for (let i = 0; i < n; i++) if (acc[i] > cutoff) sum += Math.exp(acc[i] - max);
      out[c] = max + Math.log(sum);
    }
  }
}

type TabulatedDimension = Extract<ScoringDimension, { kind: "tabulated" }>;

/**
 * A univariate continuous mixture laid out by increasing centre, in blocks of BLOCK components
 * that each know their centre range, widest kernel and largest weight-and-norm term. A block
 * farther from the candidate than its bound allows cannot reach within NEGLIGIBLE of the largest
 * term found so far, so it is skipped unevaluated: with a long history, only the few blocks near
 * the candidate are scored. The result is the full sum's, since skipped terms are ones the
 * log-sum-exp drops anyway.
 */
class BlockedKernels {
  private readonly n: number;
  private readonly mus: Float64Array;
  private readonly invSigmas: Float64Array;
  /** log weight + log norm of each component. */
  private readonly bases: Float64Array;
  private readonly blockLowMu: Float64Array;
  private readonly blockHighMu: Float64Array;
  private readonly blockInvMaxSigma: Float64Array;
  private readonly blockMaxBase: Float64Array;
  private readonly terms: Float64Array;
  private readonly scored: Uint8Array;

  constructor(order: Int32Array, mus: Float64Array, invSigmas: Float64Array, sigmas: Float64Array, logNorms: Float64Array, logWeights: Float64Array) {
    const n = order.length;
    this.n = n;
    this.mus = new Float64Array(n);
    this.invSigmas = new Float64Array(n);
    this.bases = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      this.mus[k] = mus[i];
      this.invSigmas[k] = invSigmas[i];
      this.bases[k] = logWeights[i] + logNorms[i];
    }
    const blocks = Math.ceil(n / BLOCK);
    this.blockLowMu = new Float64Array(blocks);
    this.blockHighMu = new Float64Array(blocks);
    this.blockInvMaxSigma = new Float64Array(blocks);
    this.blockMaxBase = new Float64Array(blocks);
    for (let b = 0; b < blocks; b++) {
      const start = b * BLOCK;
      const end = Math.min(n, start + BLOCK);
      let maxSigma = 0;
      let maxBase = -Infinity;
      for (let k = start; k < end; k++) {
        maxSigma = Math.max(maxSigma, sigmas[order[k]]);
        maxBase = Math.max(maxBase, this.bases[k]);
      }
      this.blockLowMu[b] = this.mus[start];
      this.blockHighMu[b] = this.mus[end - 1];
      this.blockInvMaxSigma[b] = 1 / maxSigma;
      this.blockMaxBase[b] = maxBase;
    }
    this.terms = new Float64Array(n);
    this.scored = new Uint8Array(blocks);
  }

  logPdf(x: number): number {
    const { n, mus, invSigmas, bases, terms, scored } = this;
    const blocks = scored.length;
    // Start with the block holding x, whose terms set a high bar early.
    let first = 0;
    while (first + 1 < blocks && this.blockLowMu[first + 1] <= x) first++;
    scored.fill(0);
    let max = -Infinity;
    for (let step = 0; step <= blocks; step++) {
      const b = step === 0 ? first : step - 1;
      if (step > 0 && b === first) continue;
      const gap = x < this.blockLowMu[b] ? this.blockLowMu[b] - x : x > this.blockHighMu[b] ? x - this.blockHighMu[b] : 0;
      const zMin = gap * this.blockInvMaxSigma[b];
      if (this.blockMaxBase[b] - 0.5 * zMin * zMin < max - NEGLIGIBLE) continue;
      scored[b] = 1;
      const end = Math.min(n, (b + 1) * BLOCK);
      for (let k = b * BLOCK; k < end; k++) {
        const z = (x - mus[k]) * invSigmas[k];
        const t = bases[k] - 0.5 * z * z;
        terms[k] = t;
        if (t > max) max = t;
      }
    }
    if (max === -Infinity) return -Infinity;
    const cutoff = max - NEGLIGIBLE;
    let sum = 0;
    for (let b = 0; b < blocks; b++) {
      if (!scored[b]) continue;
      const end = Math.min(n, (b + 1) * BLOCK);
      for (let k = b * BLOCK; k < end; k++) if (terms[k] > cutoff) sum += Math.exp(terms[k] - max);
    }
    return max + Math.log(sum);
  }
}

/**
 * Truncation constants: log of the normal(mus[i], sigmas[i]) mass inside [low, high], into out.
 * Centres lie inside the bounds, so this is log1p(-Phi(a) - Phi(-b)) (logGaussMass's middle case)
 * with both erfc evaluated in one batch; kernels far from both bounds skip them.
 */
function logMassesInside(low: number, high: number, mus: Float64Array, sigmas: Float64Array, out: Float64Array): void {
  const n = mus.length;
  const rows = new Int32Array(n);
  const args = new Float64Array(2 * n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = (low - mus[i]) / sigmas[i];
    const b = (high - mus[i]) / sigmas[i];
    if (a < -FAR_Z && b > FAR_Z) {
      out[i] = 0;
    } else if (a <= 0 && b > 0) {
      rows[m] = i;
      args[2 * m] = -a * Math.SQRT1_2;
      args[2 * m + 1] = b * Math.SQRT1_2;
      m++;
    } else {
      out[i] = logGaussMass(a, b);
    }
  }
  const tails = new Float64Array(2 * m);
  erfcInto(args, tails, 2 * m);
  for (let k = 0; k < m; k++) out[rows[k]] = Math.log1p(-(0.5 * tails[2 * k]) - 0.5 * tails[2 * k + 1]);
}

/**
 * Optuna's categorical kernel: the observed choice's one-hot row plus priorWeight / n on every
 * choice, normalised; the prior component is uniform. Rows depend only on the observed choice.
 */
class CategoricalKernels implements KernelTable {
  /** One table row per choice, plus the prior's. */
  readonly size: number;
  private readonly rowSums: Float64Array;
  private readonly hitLogs: Float64Array;
  private readonly missLogs: Float64Array;
  private readonly priorRowSum: number;
  private readonly priorLog: number;

  constructor(
    private readonly k: number,
    private readonly base: number,
  ) {
    this.size = k + 1;
    this.rowSums = new Float64Array(k);
    this.hitLogs = new Float64Array(k);
    this.missLogs = new Float64Array(k);
    for (let o = 0; o < k; o++) {
      // Summed in choice order, as the row would be, so every probability is the row's exactly.
      let sum = 0;
      for (let c = 0; c < k; c++) sum += c === o ? base + 1 : base;
      this.rowSums[o] = sum;
      this.hitLogs[o] = Math.log((base + 1) / sum);
      this.missLogs[o] = Math.log(base / sum);
    }
    let priorSum = 0;
    for (let c = 0; c < k; c++) priorSum += base;
    this.priorRowSum = priorSum;
    this.priorLog = Math.log(base / priorSum);
  }

  fill(x: number, out: Float64Array): void {
    for (let o = 0; o < this.k; o++) out[o] = o === x ? this.hitLogs[o] : this.missLogs[o];
    out[this.k] = this.priorLog;
  }

  /** Draws a choice from the row of a component that observed `observed` (-1: the prior). */
  sample(observed: number, rng: Rng): number {
    const { k, base } = this;
    const sum = observed < 0 ? this.priorRowSum : this.rowSums[observed];
    let r = rng.random();
    for (let c = 0; c < k; c++) {
      r -= (c === observed ? base + 1 : base) / sum;
      if (r < 0) return c;
    }
    return k - 1;
  }
}

/**
 * The distinct (centre, width) kernels of a stepped dimension. Values sit on a grid, so a long
 * history holds many copies of the same kernel; each candidate's cell mass is computed once per
 * distinct kernel.
 */
class SteppedKernels implements KernelTable {
  readonly size: number;
  /** Per component: its row. */
  readonly ids: Int32Array;
  private readonly mus: Float64Array;
  private readonly sigmas: Float64Array;
  private readonly logAccepts: Float64Array;

  constructor(
    private readonly low: number,
    private readonly high: number,
    private readonly step: number,
    mus: Float64Array,
    sigmas: Float64Array,
  ) {
    const n = mus.length;
    this.ids = new Int32Array(n);
    const firstWithMu = new Map<number, number>();
    // Rows that share a centre are chained, so a lookup compares a few widths at most.
    const nextWithMu = new Int32Array(n).fill(-1);
    const uMus = new Float64Array(n);
    const uSigmas = new Float64Array(n);
    let size = 0;
    for (let i = 0; i < n; i++) {
      const mu = mus[i];
      const sigma = sigmas[i];
      let row = firstWithMu.get(mu) ?? -1;
      let last = -1;
      while (row >= 0 && uSigmas[row] !== sigma) last = row, row = nextWithMu[row];
      if (row < 0) {
        row = size++;
        uMus[row] = mu;
        uSigmas[row] = sigma;
        if (last >= 0) nextWithMu[last] = row;
        else firstWithMu.set(mu, row);
      }
      this.ids[i] = row;
    }
    this.size = size;
    this.mus = uMus.slice(0, size);
    this.sigmas = uSigmas.slice(0, size);
    this.logAccepts = new Float64Array(size);
    logMassesInside(low, high, this.mus, this.sigmas, this.logAccepts);
  }

  fill(x: number, out: Float64Array): void {
    const lo = Math.max(this.low, x - this.step / 2);
    const hi = Math.min(this.high, x + this.step / 2);
    const half = 0.5 * (hi - lo);
    const mid = 0.5 * (hi + lo);
    for (let u = 0; u < this.size; u++) out[u] = cellLogMass(mid, half, this.mus[u], this.sigmas[u]) - this.logAccepts[u];
  }
}

/**
 * Merges components whose rows agree in every tabulated dimension into one with the summed
 * weight: the mixture is the same, with as many terms as distinct kernels.
 */
function mergeIdenticalComponents(dims: TabulatedDimension[], weights: Float64Array): { scoring: TabulatedDimension[]; logWeights: Float64Array } | null {
  const n = weights.length;
  let span = 1;
  for (const d of dims) span *= d.table.size;
  // A joint row number must stay an exact integer; huge joint spaces rarely repeat rows anyway.
  if (!(span < 2 ** 52)) return null;
  const rowOf = new Map<number, number>();
  const first: number[] = [];
  const mergedWeights: number[] = [];
  for (let i = 0; i < n; i++) {
    let key = 0;
    for (const d of dims) key = key * d.table.size + d.ids[i];
    let row = rowOf.get(key);
    if (row === undefined) {
      row = first.length;
      rowOf.set(key, row);
      first.push(i);
      mergedWeights.push(0);
    }
    mergedWeights[row] += weights[i];
  }
  if (first.length === n) return null;
  const logWeights = Float64Array.from(mergedWeights, Math.log);
  const scoring = dims.map((d): TabulatedDimension => ({ kind: "tabulated", table: d.table, ids: Int32Array.from(first, (i) => d.ids[i]) }));
  return { scoring, logWeights };
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
