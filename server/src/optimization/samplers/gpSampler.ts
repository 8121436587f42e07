import { Rng } from "../random";
import { sampleUniform } from "../space";
import type { Direction, JsonValue, ParamSpec, StudyView, TrialView } from "../types";
import { maximizeAcquisition } from "./gp/acquisitionOptimizer";
import { fitKernelParams } from "./gp/fitKernelParams";
import { GaussianProcess } from "./gp/gaussianProcess";
import { LogEiAcquisition } from "./gp/logEiAcquisition";
import { OptionReader } from "./gp/optionReader";
import { powerTransform, standardizeArray } from "./gp/powerTransform";
import { SearchSpaceEncoding } from "./gp/searchSpaceEncoding";
import { AtFixedLastCoordinate, jointModelData, type ModelData, withCoordinate } from "./gp/jointFidelity";
import { fidelityObservations } from "../multiFidelity/fidelityObservations";
import { hashName, sampleSpaceUniformly } from "./randomSampler";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";

export interface GpSamplerOptions {
  /** Trials sampled uniformly at random before the GP takes over. Default 10. */
  nStartupTrials: number;
  /** The objective is noise-free: fix the GP noise at its 1e-6 floor instead of fitting it. Default false. */
  deterministicObjective: boolean;
  /**
   * Most finished trials the GP is fitted on, which bounds the cost of an ask (cubic in this).
   * Beyond it the GP sees the best quarter and the most recent rest. Default 250.
   */
  maxObservations: number;
  /**
   * Uniform candidates scored per ask before local refinement. Default 2048. Scoring one costs
   * O(n^2) in the n observations, so past 100 observations fewer are scored (n^2 * candidates
   * held at its value for 100, but never under 512).
   */
  candidates: number;
  /** Candidates refined by local search per ask (plus the best observed point). Default 10. */
  localSearches: number;
  /**
   * Model the values after a fitted Yeo-Johnson power transform rather than just standardised,
   * which copes with heavy-tailed objectives. Default true.
   */
  warpOutputs: boolean;
  /**
   * Treat RUNNING trials as observed at the mean of the finished ones (constant liar), so that
   * parallel workers asking at once do not all get the same point. With the joint multi-fidelity
   * model, only those not yet at any rung, at the model's prediction. Default true.
   */
  constantLiar: boolean;
}

/** Reads GP options from a study's stored sampler options. */
export function parseGpOptions(options: Record<string, JsonValue>): GpSamplerOptions {
  const r = new OptionReader(options, "GP");
  const parsed: GpSamplerOptions = {
    nStartupTrials: r.number("nStartupTrials", 10, { min: 0, integer: true }),
    deterministicObjective: r.boolean("deterministicObjective", false),
    maxObservations: r.number("maxObservations", 250, { min: 10, max: 2000, integer: true }),
    candidates: r.number("candidates", 2048, { min: 1, max: 100_000, integer: true }),
    localSearches: r.number("localSearches", 10, { min: 0, max: 100, integer: true }),
    constantLiar: r.boolean("constantLiar", true),
    warpOutputs: r.boolean("warpOutputs", true),
  };
  r.done();
  return parsed;
}

/** Most points the kernel hyperparameters are fitted on (each fit step is cubic in this). */
const MAX_FIT_POINTS = 100;

interface GpState {
  /** Which space the kernel parameters belong to. */
  key: string;
  /** Last fitted kernel parameters (log space), the warm start of the next fit. */
  raw: number[];
}

/**
 * Gaussian-process Bayesian optimisation in the manner of Optuna's GPSampler: a Matérn 5/2 ARD
 * kernel (Hamming distance for categoricals) fitted by MAP on standardised, power-transformed
 * values, log expected improvement maximised by random candidates plus local search, in the unit
 * cube of the declared space (conditional parameters keep a coordinate, imputed while inactive).
 * The last kernel fit is kept in the sampler state as the next fit's warm start. Define-by-run
 * parameters are sampled uniformly.
 *
 * Several directions: the GP models a random augmented-Chebyshev scalarisation of the normalised
 * objectives with fresh weights for each trial (ParEGO), which spreads trials along the front.
 * Constraints: infeasible trials count as the worst value seen, steering the search away from them.
 *
 * Under a rung-based pruner with multiFidelity model "joint" (the study view carries `fidelity`),
 * the GP models the objective over the parameters and the budget from every rung each trial
 * reached, and EI is maximised at the target budget (gp/jointFidelity.ts). That is for one
 * objective; with several, the GP models the complete trials as usual.
 */
export class GpSampler implements Sampler {
  readonly needsHistory = true;
  constructor(
    private readonly seed: number,
    private readonly options: GpSamplerOptions = parseGpOptions({}),
  ) {}

  sampleRelative(ctx: SampleContext): RelativeSample {
    const space = ctx.study.searchSpace;
    const rng = Rng.derive(this.seed, ctx.trialNumber);
    if (space.length === 0) return { params: {} };
    const startup = Math.max(this.options.nStartupTrials, 2);
    const encoding = new SearchSpaceEncoding(space);
    if (ctx.study.fidelity && ctx.study.directions.length === 1) {
      // Joint model: every finished trial is an observation at some budget, PRUNED ones included.
      const data = fidelityObservations(ctx.study, ctx.study.fidelity);
      if (!data || data.trials < startup) return { params: sampleSpaceUniformly(space, rng) };
      return this.propose(ctx, encoding, jointModelData(data, ctx.study.directions[0], encoding, this.options.maxObservations), rng);
    }
    const complete = ctx.study.trials.filter((t) => isUsable(t, ctx.study.directions.length));
    if (complete.length < startup) return { params: sampleSpaceUniformly(space, rng) };

    const scores = objectiveScores(complete, ctx.study.directions, Rng.derive(this.seed, ctx.trialNumber, 0x5ca1));
    const chosen = selectObservations(complete, scores, this.options.maxObservations);
    const rows: Float64Array[] = [];
    const ys: number[] = [];
    for (const i of chosen) {
      const x = encoding.encode(complete[i].params);
      if (!x) continue;
      rows.push(x);
      ys.push(scores[i]);
    }
    return this.propose(ctx, encoding, { rows, ys, target: null }, rng);
  }

  /**
   * Fits the GP to `data` and returns the parameters that maximise log EI. With a target budget
   * the inputs carry one more coordinate, the budget, held at the target's during the search.
   */
  private propose(ctx: SampleContext, encoding: SearchSpaceEncoding, data: ModelData, rng: Rng): RelativeSample {
    const { rows, ys, target } = data;
    if (rows.length < 2) return { params: sampleSpaceUniformly(ctx.study.searchSpace, rng) };
    const d = encoding.size + (target ? 1 : 0);
    const isCategorical = target ? Uint8Array.from([...encoding.isCategorical, 0]) : encoding.isCategorical;
    const y = this.options.warpOutputs ? powerTransform(ys) : standardizeArray(ys);
    const x = flatten(rows, d);
    const key = spaceKey(ctx.study.searchSpace) + (target ? "+fidelity" : "");
    const previous = readState(ctx.state, key, d);
    // Hyperparameters need fewer points than the posterior: fit on a spread of ranks when large.
    const fitRows = fitSubset(y, MAX_FIT_POINTS);
    const fit = fitRows
      ? fitKernelParams(flatten(fitRows.map((i) => rows[i]), d), Float64Array.from(fitRows, (i) => y[i]), d, isCategorical, previous, {
          deterministic: this.options.deterministicObjective,
        })
      : fitKernelParams(x, y, d, isCategorical, previous, { deterministic: this.options.deterministicObjective });

    // Pending points enter the posterior (not the hyperparameter fit), so that workers asking at
    // once do not crowd one point. Without a target budget, at the mean, i.e. 0: the constant liar.
    // With one, only the running trials not yet seen at any rung are pending (see pendingRows), at
    // the model's own prediction (the kriging believer): the target budget has few observations,
    // and there an average value lied at each new proposal, near the best so far, outweighed them
    // (on MF-Hartmann6 with 4 workers the median regret was 0.19 against 0.011 this way). The
    // believer only lowers the uncertainty at a pending point, so two asks at the very same moment
    // can still get the same point where the predicted gain is large.
    const pending = this.options.constantLiar ? pendingRows(ctx.study, encoding, target) : [];
    let gp = new GaussianProcess(x, y, d, fit.params, isCategorical);
    if (pending.length > 0) {
      const lies = target ? pending.map((p) => gp.predict(p).mean) : pending.map(() => 0);
      gp = new GaussianProcess(flatten([...rows, ...pending], d), Float64Array.from([...y, ...lies]), d, fit.params, isCategorical);
    }

    const bestIndex = incumbent(rows, y, target ? { coordinate: d - 1, value: target.coordinate } : null);
    const ei = new LogEiAcquisition(gp, y[bestIndex]);
    const acquisition = target ? new AtFixedLastCoordinate(ei, encoding.size, target.coordinate) : ei;
    const best = maximizeAcquisition(acquisition, encoding, rng, [rows[bestIndex].subarray(0, encoding.size)], {
      candidates: Math.min(this.options.candidates, Math.max(512, Math.floor((this.options.candidates * 100 * 100) / (gp.n * gp.n)))),
      localSearches: this.options.localSearches,
    });
    const state: GpState = { key, raw: Array.from(fit.raw, (v) => Number(v.toFixed(6))) };
    return { params: encoding.decode(best.x), state: state as unknown as JsonValue };
  }

  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    return sampleUniform(spec, Rng.derive(this.seed, trial.number, hashName(spec.name)));
  }
}

function isUsable(t: TrialView, nObjectives: number): boolean {
  return t.state === "COMPLETE" && !!t.values && t.values.length === nObjectives && t.values.every((v) => !Number.isNaN(v));
}

/**
 * One score per trial, larger is better. Infinite values are clamped to the finite range; trials
 * violating a constraint get the worst score; several objectives are scalarised (ParEGO).
 */
export function objectiveScores(trials: TrialView[], directions: Direction[], rng: Rng): number[] {
  const m = directions.length;
  // Objectives in minimisation form, infinities clamped per objective.
  const cols: number[][] = [];
  for (let j = 0; j < m; j++) {
    const sign = directions[j] === "MAXIMIZE" ? -1 : 1;
    const col = trials.map((t) => sign * (t.values as number[])[j]);
    const finite = col.filter(Number.isFinite);
    const lo = finite.length ? Math.min(...finite) : 0;
    const hi = finite.length ? Math.max(...finite) : 0;
    cols.push(col.map((v) => (Number.isFinite(v) ? v : v > 0 ? hi : lo)));
  }
  let scores: number[];
  if (m === 1) {
    scores = cols[0].map((v) => -v);
  } else {
    const weights = Array.from({ length: m }, () => -Math.log(1 - rng.random()));
    const total = weights.reduce((a, b) => a + b, 0);
    const ranges = cols.map((c) => ({ lo: Math.min(...c), hi: Math.max(...c) }));
    scores = trials.map((_, i) => {
      let max = Number.NEGATIVE_INFINITY;
      let sum = 0;
      for (let j = 0; j < m; j++) {
        const span = ranges[j].hi - ranges[j].lo;
        const f = span > 0 ? (cols[j][i] - ranges[j].lo) / span : 0;
        const wf = (weights[j] / total) * f;
        max = Math.max(max, wf);
        sum += wf;
      }
      return -(max + 0.05 * sum);
    });
  }
  const infeasible = trials.map((t) => !!t.constraints && t.constraints.some((c) => c > 0));
  if (infeasible.some(Boolean)) {
    const worst = Math.min(...scores);
    scores = scores.map((s, i) => (infeasible[i] ? worst : s));
  }
  return scores;
}

/** Indices of the trials the GP sees: all of them, or the best quarter plus the most recent. */
function selectObservations(trials: TrialView[], scores: number[], cap: number): number[] {
  const all = trials.map((_, i) => i);
  if (trials.length <= cap) return all;
  const nBest = Math.floor(cap / 4);
  const byScore = all.slice().sort((a, b) => scores[b] - scores[a] || a - b);
  const picked = new Set(byScore.slice(0, nBest));
  const byRecency = all.slice().sort((a, b) => trials[b].number - trials[a].number);
  for (const i of byRecency) {
    if (picked.size >= cap) break;
    picked.add(i);
  }
  return [...picked].sort((a, b) => a - b);
}

/** Indices at evenly spaced ranks of y (best and worst included), or null when all fit. */
function fitSubset(y: Float64Array, cap: number): number[] | null {
  if (y.length <= cap) return null;
  const byValue = Array.from(y, (_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
  const picked: number[] = [];
  for (let k = 0; k < cap; k++) picked.push(byValue[Math.round((k * (y.length - 1)) / (cap - 1))]);
  return picked.sort((a, b) => a - b);
}

/**
 * The index of the best observation, among those whose `at.coordinate` is `at.value` (the target
 * budget's) when there are any.
 */
function incumbent(rows: Float64Array[], y: Float64Array, at: { coordinate: number; value: number } | null): number {
  let best = -1;
  let bestAnywhere = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] > y[bestAnywhere]) bestAnywhere = i;
    if (at && rows[i][at.coordinate] !== at.value) continue;
    if (best < 0 || y[i] > y[best]) best = i;
  }
  return best < 0 ? bestAnywhere : best;
}

/** Most RUNNING trials imputed by the constant liar (the most recent ones). */
const MAX_PENDING = 64;

/**
 * Rows of the most recent RUNNING trials; when modelled jointly, those not yet observed at any
 * budget, at the target budget's coordinate. The others are observed at their rungs already, and
 * under a pruner the trials that run on are the rungs' survivors, the best so far: lying that they
 * are average would steer the search off the best region for as long as they run.
 */
function pendingRows(study: StudyView, encoding: SearchSpaceEncoding, target: ModelData["target"]): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let i = study.trials.length - 1; i >= 0 && rows.length < MAX_PENDING; i--) {
    const t = study.trials[i];
    if (t.state !== "RUNNING" || target?.observed.has(t.number)) continue;
    const x = encoding.encode(t.params);
    if (x) rows.push(target ? withCoordinate(x, target.coordinate) : x);
  }
  return rows;
}

function flatten(rows: Float64Array[], d: number): Float64Array {
  const x = new Float64Array(rows.length * d);
  rows.forEach((r, i) => x.set(r, i * d));
  return x;
}

function spaceKey(space: ParamSpec[]): string {
  return JSON.stringify(space.map((s) => [s.name, s.type]));
}

function readState(state: JsonValue | null, key: string, d: number): number[] | null {
  if (!state || typeof state !== "object" || Array.isArray(state)) return null;
  const s = state as unknown as Partial<GpState>;
  if (s.key !== key || !Array.isArray(s.raw) || s.raw.length !== d + 2 || !s.raw.every((v) => typeof v === "number" && Number.isFinite(v))) {
    return null;
  }
  return s.raw;
}
