import { InvalidSpaceError } from "../errors";
import { Rng } from "../random";
import { internalBounds, isActive, sampleUniform, snap } from "../space";
import type { JsonValue, ParamSpec, StudyView, TrialView } from "../types";
import { hashName, sampleSpaceUniformly } from "./randomSampler";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";
import { decomposeIntoGroups, intersectParamSets } from "./tpe/groups";
import { type KernelDimension, MixtureWeights, ParzenEstimator, type ParzenOptions } from "./tpe/parzenEstimator";
import { internalColumns } from "./tpe/observations";
import { type ObservationSplit, splitObservations } from "./tpe/split";
import { defaultWeights } from "./tpe/weights";

/** Options of the TPE sampler (Optuna's TPESampler arguments, camel-cased). */
export interface TpeSamplerOptions {
  /** Trials sampled uniformly at random before the model is used (default 10). */
  nStartupTrials?: number;
  /** Candidates drawn from the good density per ask; the best l(x)/g(x) wins (default 24). */
  nEiCandidates?: number;
  /** Model the parameters jointly instead of one at a time (default false, as Optuna). */
  multivariate?: boolean;
  /**
   * With multivariate: model each group of parameters that always occur together separately
   * (Optuna's group=True), which is what makes conditional spaces work jointly (default true).
   * False models only the parameters common to all trials jointly, the rest one at a time.
   */
  group?: boolean;
  /** Weight of the broad prior component in each density (default 1.0). */
  priorWeight?: number;
  /** Lower-bound kernel widths by range / min(100, n + 1) (default true). */
  considerMagicClip?: boolean;
  /** Let the outermost kernels stretch to the bounds (default false). */
  considerEndpoints?: boolean;
  /** Fraction of finished trials in the good group (default 0.1); gamma(n) = min(ceil(f n), gammaMax). */
  gammaFraction?: number;
  /** Cap of the good group's size (default 25). */
  gammaMax?: number;
  /**
   * Treat RUNNING and WAITING trials as having the worst value, so that parallel asks spread out
   * instead of proposing the same point (default true; Optuna's constant_liar, off there).
   */
  constantLiar?: boolean;
  /** Multiplier of the multivariate kernel width, Scott's rule (default 0.2, as Optuna). */
  bandwidthFactor?: number;
}

type Resolved = Required<TpeSamplerOptions>;

const DEFAULTS: Resolved = {
  nStartupTrials: 10,
  nEiCandidates: 24,
  multivariate: false,
  group: true,
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
  gammaFraction: 0.1,
  gammaMax: 25,
  constantLiar: true,
  bandwidthFactor: 0.2,
};

/**
 * Tree-structured Parzen Estimator, after Optuna 3.1's TPESampler. Finished trials are split into
 * a good group (the best gamma(n)) and the rest; each gets a Parzen density, l(x) and g(x), and the
 * sampler proposes the candidate drawn from l with the best l(x)/g(x).
 *
 * - Univariate (default) models each parameter on its own; multivariate models the space jointly,
 *   group by group (parameters that always co-occur), so conditional spaces keep their structure.
 * - PRUNED trials rank after COMPLETE ones by their deepest report; constraints (TrialView
 *   constraints, feasible when all <= 0) put infeasible trials in the bad group by violation.
 * - Several objectives (MOTPE): the good group is filled by non-dominated fronts and, on the last
 *   front, by greedy hypervolume contribution; good trials weigh by hypervolume contribution.
 * - The newest 25 observations weigh fully, older ones ramp down (Optuna's default weights).
 * - Each ask reads the history once into typed columns and builds its estimators in flat arrays;
 *   multi-objective splits peel only the fronts the good group needs, so asks stay in
 *   milliseconds at thousands of trials (bench/samplers.ts measures them).
 */
export class TpeSampler implements Sampler {
  readonly needsHistory = true;
  private readonly opts: Resolved;

  constructor(
    private readonly seed: number,
    options: TpeSamplerOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...stripUndefined(options) };
  }

  sampleRelative(ctx: SampleContext): RelativeSample {
    const space = ctx.study.searchSpace;
    if (space.length === 0) return { params: {} };
    const rng = Rng.derive(this.seed, ctx.trialNumber);
    const history = this.history(ctx.study);
    if (history.split.finished < this.opts.nStartupTrials) return { params: sampleSpaceUniformly(space, rng) };

    const sampled: Record<string, JsonValue> = {};
    if (this.opts.multivariate) {
      for (const group of this.groups(space, history)) {
        const active = group.filter((spec) => {
          const c = spec.condition;
          if (!c || !(c.param in sampled)) return true;
          return isActive(spec, sampled);
        });
        if (active.length > 0) Object.assign(sampled, this.sampleJointly(active, history, rng, true));
      }
    }
    // One pass over the history for every declared parameter; each univariate step reads its column.
    history.columnsOf(space);
    const params: Record<string, JsonValue> = {};
    for (const spec of space) {
      if (!isActive(spec, params)) continue;
      params[spec.name] = spec.name in sampled ? sampled[spec.name] : this.sampleJointly([spec], history, rng, false)[spec.name];
    }
    return { params };
  }

  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    const rng = Rng.derive(this.seed, trial.number, hashName(spec.name));
    const history = this.history(ctx.study);
    if (history.split.finished < this.opts.nStartupTrials) return sampleUniform(spec, rng);
    return this.sampleJointly([spec], history, rng, false)[spec.name];
  }

  private history(study: StudyView): History {
    const { gammaFraction, gammaMax } = this.opts;
    const split = splitObservations(study, {
      gamma: (n) => Math.min(Math.ceil(gammaFraction * n), gammaMax),
      constantLiar: this.opts.constantLiar,
    });
    return new History(split);
  }

  /** Groups of declared parameters to model jointly, ordered by their first declaration. */
  private groups(space: ParamSpec[], history: History): ParamSpec[][] {
    const order = new Map(space.map((s, i) => [s.name, i]));
    const columns = history.columnsOf(space);
    // Trials with the same parameters present add nothing to the decomposition: one set per pattern,
    // keyed by a bit mask (a string of bits past 30 parameters).
    const patterns = new Map<number | string, number>();
    const small = space.length <= 30;
    const bits: string[] = [];
    for (let j = 0; j < history.split.trials.length; j++) {
      let mask = 0;
      for (let s = 0; s < space.length; s++) {
        const present = columns[s][j] === columns[s][j];
        if (small) mask |= present ? 1 << s : 0;
        else bits[s] = present ? "1" : "0";
      }
      const key = small ? mask : bits.join("");
      if (!patterns.has(key)) patterns.set(key, j);
    }
    const paramSets = [...patterns.values()].map((j) => space.filter((_, s) => columns[s][j] === columns[s][j]).map((spec) => spec.name));
    const names = this.opts.group ? decomposeIntoGroups(paramSets) : [intersectParamSets(paramSets)];
    const specByName = new Map(space.map((s) => [s.name, s]));
    return names
      .filter((g) => g.length > 0)
      .map((g) => g.sort((a, b) => order.get(a)! - order.get(b)!).map((n) => specByName.get(n)!))
      .sort((a, b) => order.get(a[0].name)! - order.get(b[0].name)!);
  }

  /** One TPE step over `specs` jointly (a single spec for univariate sampling). */
  private sampleJointly(specs: ParamSpec[], history: History, rng: Rng, multivariate: boolean): Record<string, JsonValue> {
    const { split } = history;
    const dims = specs.map(kernelDimension);
    const columns = history.columnsOf(specs);
    const nTrials = split.trials.length;
    const below = split.below;
    // Rows with a usable value of every spec, in trial order: the good ones and the others.
    const belowRows = new Int32Array(nTrials);
    const aboveRows = new Int32Array(nTrials);
    let nBelow = 0;
    let nAbove = 0;
    for (let j = 0; j < nTrials; j++) {
      let usable = true;
      // x !== x: NaN, an unusable value.
      for (let d = 0; d < columns.length; d++) if (columns[d][j] !== columns[d][j]) usable = false;
      if (!usable) continue;
      if (below[j]) belowRows[nBelow++] = j;
      else aboveRows[nAbove++] = j;
    }
    const gather = (col: Float64Array, rows: Int32Array, count: number) => {
      const out = new Float64Array(count);
      for (let k = 0; k < count; k++) out[k] = col[rows[k]];
      return out;
    };
    const belowObs = columns.map((col) => gather(col, belowRows, nBelow));
    const aboveObs = columns.map((col) => gather(col, aboveRows, nAbove));
    const belowWeights = split.belowWeights ? gather(split.belowWeights, belowRows, nBelow) : null;
    const parzen: ParzenOptions = {
      priorWeight: this.opts.priorWeight,
      considerMagicClip: this.opts.considerMagicClip,
      considerEndpoints: this.opts.considerEndpoints,
      multivariate,
      bandwidthFactor: this.opts.bandwidthFactor,
    };
    const priorWeight = this.opts.priorWeight;
    const belowMixture = belowWeights ? new MixtureWeights(belowWeights, priorWeight) : history.defaultMixture(nBelow, priorWeight);
    const l = new ParzenEstimator(dims, belowObs, belowMixture, parzen);
    const g = new ParzenEstimator(dims, aboveObs, history.defaultMixture(nAbove, priorWeight), parzen);

    const m = Math.max(1, this.opts.nEiCandidates);
    const values = specs.map(() => new Float64Array(m));
    for (let c = 0; c < m; c++) {
      const component = l.pickComponent(rng);
      for (let d = 0; d < specs.length; d++) values[d][c] = snapInternal(specs[d], l.sampleDimension(d, component, rng));
    }
    const logL = new Float64Array(m);
    const logG = new Float64Array(m);
    l.logPdf(values, m, logL);
    g.logPdf(values, m, logG);
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < m; c++) {
      const score = logL[c] - logG[c];
      if (score > bestScore) bestScore = score, best = c;
    }
    const out: Record<string, JsonValue> = {};
    specs.forEach((spec, d) => (out[spec.name] = toExternal(spec, values[d][best])));
    return out;
  }
}

/** What one ask learns from: the split of the history and, read on first use, each parameter's values. */
class History {
  private readonly columns = new Map<string, Float64Array>();
  private readonly mixtures = new Map<number, MixtureWeights>();

  constructor(readonly split: ObservationSplit) {}

  /** Internal values of each spec per considered trial, NaN where unusable (see internalColumns). */
  columnsOf(specs: ParamSpec[]): Float64Array[] {
    const missing = specs.filter((spec) => !this.columns.has(spec.name));
    if (missing.length > 0) internalColumns(this.split.trials, missing).forEach((col, k) => this.columns.set(missing[k].name, col));
    return specs.map((spec) => this.columns.get(spec.name)!);
  }

  /**
   * Mixture weights of n observations under Optuna's default weights, shared by the estimators
   * of the ask with n observations (univariate ones over complete rows all have the same n).
   */
  defaultMixture(n: number, priorWeight: number): MixtureWeights {
    let w = this.mixtures.get(n);
    if (!w) {
      w = new MixtureWeights(defaultWeights(n), priorWeight);
      this.mixtures.set(n, w);
    }
    return w;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function kernelDimension(spec: ParamSpec): KernelDimension {
  if (spec.type === "CATEGORICAL") return { kind: "categorical", choices: spec.choices.length };
  const { lo, hi } = internalBounds(spec);
  return { kind: "numeric", low: lo, high: hi, step: spec.log ? null : spec.step };
}

function toExternal(spec: ParamSpec, internal: number): JsonValue {
  if (spec.type === "CATEGORICAL") return spec.choices[internal];
  return snap(spec, spec.log ? Math.exp(internal) : internal);
}

/**
 * Moves a continuous internal draw onto the parameter's grid (integers, steps, bounds). Integers
 * take a shortcut around `snap`'s decimal clean-up, which cannot change an integer.
 */
function snapInternal(spec: ParamSpec, internal: number): number {
  if (spec.type === "CATEGORICAL") return internal;
  if (spec.type === "INT") {
    const x = spec.log ? Math.exp(internal) : internal;
    const v = Math.min(spec.high, Math.max(spec.low, spec.low + Math.round((x - spec.low) / spec.step) * spec.step));
    return spec.log ? Math.log(v) : v;
  }
  if (spec.step === null && !spec.log) return Math.min(spec.high, Math.max(spec.low, internal));
  const external = toExternal(spec, internal) as number;
  return spec.log ? Math.log(external) : external;
}

/** Reads TPE options from a study's stored sampler options; unknown keys are refused. */
export function parseTpeOptions(options: Record<string, JsonValue>): TpeSamplerOptions {
  const out: Record<string, number | boolean> = {};
  const integers = ["nStartupTrials", "nEiCandidates", "gammaMax"];
  const numbers = ["priorWeight", "gammaFraction", "bandwidthFactor"];
  const booleans = ["multivariate", "group", "considerMagicClip", "considerEndpoints", "constantLiar"];
  for (const [key, value] of Object.entries(options)) {
    if (value === null) continue;
    const field = `sampler.options.${key}`;
    if (integers.includes(key)) {
      if (typeof value !== "number" || !Number.isInteger(value) || value < (key === "nStartupTrials" ? 0 : 1)) {
        throw new InvalidSpaceError(field, `TPE option ${key} must be a ${key === "nStartupTrials" ? "non-negative" : "positive"} integer.`);
      }
    } else if (numbers.includes(key)) {
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || (key === "gammaFraction" && value > 1)) {
        throw new InvalidSpaceError(field, `TPE option ${key} must be a positive number${key === "gammaFraction" ? " up to 1" : ""}.`);
      }
    } else if (booleans.includes(key)) {
      if (typeof value !== "boolean") throw new InvalidSpaceError(field, `TPE option ${key} must be true or false.`);
    } else {
      throw new InvalidSpaceError(field, `unknown TPE option "${key}"; known: ${[...integers, ...numbers, ...booleans].join(", ")}.`);
    }
    out[key] = value as number | boolean;
  }
  return out as TpeSamplerOptions;
}
