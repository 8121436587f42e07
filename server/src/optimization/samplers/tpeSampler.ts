import { InvalidSpaceError } from "../errors";
import { Rng } from "../random";
import { containsValue, internalBounds, isActive, sameDistribution, sampleUniform, snap } from "../space";
import type { JsonValue, ParamSpec, StudyView, TrialView } from "../types";
import { hashName, sampleSpaceUniformly } from "./randomSampler";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";
import { decomposeIntoGroups, intersectParamSets } from "./tpe/groups";
import { type KernelDimension, ParzenEstimator, type ParzenOptions } from "./tpe/parzenEstimator";
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
    const split = this.split(ctx.study);
    if (split.finished < this.opts.nStartupTrials) return { params: sampleSpaceUniformly(space, rng) };

    const sampled: Record<string, JsonValue> = {};
    if (this.opts.multivariate) {
      for (const group of this.groups(space, split)) {
        const active = group.filter((spec) => {
          const c = spec.condition;
          if (!c || !(c.param in sampled)) return true;
          return isActive(spec, sampled);
        });
        if (active.length > 0) Object.assign(sampled, this.sampleJointly(active, split, rng, true));
      }
    }
    const params: Record<string, JsonValue> = {};
    for (const spec of space) {
      if (!isActive(spec, params)) continue;
      params[spec.name] = spec.name in sampled ? sampled[spec.name] : this.sampleJointly([spec], split, rng, false)[spec.name];
    }
    return { params };
  }

  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    const rng = Rng.derive(this.seed, trial.number, hashName(spec.name));
    const split = this.split(ctx.study);
    if (split.finished < this.opts.nStartupTrials) return sampleUniform(spec, rng);
    return this.sampleJointly([spec], split, rng, false)[spec.name];
  }

  private split(study: StudyView): ObservationSplit {
    const { gammaFraction, gammaMax } = this.opts;
    return splitObservations(study, {
      gamma: (n) => Math.min(Math.ceil(gammaFraction * n), gammaMax),
      constantLiar: this.opts.constantLiar,
    });
  }

  /** Groups of declared parameters to model jointly, ordered by their first declaration. */
  private groups(space: ParamSpec[], split: ObservationSplit): ParamSpec[][] {
    const specByName = new Map(space.map((s) => [s.name, s]));
    const order = new Map(space.map((s, i) => [s.name, i]));
    const paramSets = split.trials.map((t) => Object.keys(t.params).filter((n) => specByName.has(n) && hasValue(t, specByName.get(n)!)));
    const names = this.opts.group ? decomposeIntoGroups(paramSets) : [intersectParamSets(paramSets)];
    return names
      .filter((g) => g.length > 0)
      .map((g) => g.sort((a, b) => order.get(a)! - order.get(b)!).map((n) => specByName.get(n)!))
      .sort((a, b) => order.get(a[0].name)! - order.get(b[0].name)!);
  }

  /** One TPE step over `specs` jointly (a single spec for univariate sampling). */
  private sampleJointly(specs: ParamSpec[], split: ObservationSplit, rng: Rng, multivariate: boolean): Record<string, JsonValue> {
    const dims = specs.map(kernelDimension);
    const choiceIndex = specs.map((s) => (s.type === "CATEGORICAL" ? new Map(s.choices.map((c, i) => [JSON.stringify(c), i])) : null));
    const belowRows: number[] = [];
    const aboveRows: number[] = [];
    split.trials.forEach((t, j) => {
      if (specs.every((s) => hasValue(t, s))) (split.below[j] ? belowRows : aboveRows).push(j);
    });
    const observe = (rows: number[]): Float64Array[] =>
      specs.map((spec, d) => {
        const out = new Float64Array(rows.length);
        rows.forEach((j, r) => (out[r] = toInternal(spec, split.trials[j].params[spec.name], choiceIndex[d])));
        return out;
      });
    const parzen: ParzenOptions = {
      priorWeight: this.opts.priorWeight,
      considerMagicClip: this.opts.considerMagicClip,
      considerEndpoints: this.opts.considerEndpoints,
      multivariate,
      bandwidthFactor: this.opts.bandwidthFactor,
    };
    let belowWeights = defaultWeights(belowRows.length);
    if (split.belowWeights) {
      const w = split.belowWeights;
      belowWeights = Float64Array.from(belowRows, (j) => w[j]);
    }
    const l = new ParzenEstimator(dims, observe(belowRows), belowWeights, parzen);
    const g = new ParzenEstimator(dims, observe(aboveRows), defaultWeights(aboveRows.length), parzen);

    const m = Math.max(1, this.opts.nEiCandidates);
    const values = specs.map(() => new Float64Array(m));
    for (let c = 0; c < m; c++) {
      const component = l.pickComponent(rng);
      specs.forEach((spec, d) => (values[d][c] = snapInternal(spec, l.sampleDimension(d, component, rng))));
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The trial has a usable value of this parameter, drawn from the same distribution. */
function hasValue(trial: TrialView, spec: ParamSpec): boolean {
  if (!(spec.name in trial.params)) return false;
  const dist = trial.distributions[spec.name];
  if (dist && !sameDistribution(dist, spec)) return false;
  return containsValue(spec, trial.params[spec.name]);
}

function kernelDimension(spec: ParamSpec): KernelDimension {
  if (spec.type === "CATEGORICAL") return { kind: "categorical", choices: spec.choices.length };
  const { lo, hi } = internalBounds(spec);
  return { kind: "numeric", low: lo, high: hi, step: spec.log ? null : spec.step };
}

function toInternal(spec: ParamSpec, value: JsonValue, choices: Map<string, number> | null): number {
  if (spec.type === "CATEGORICAL") return choices!.get(JSON.stringify(value)) ?? 0;
  const v = value as number;
  return spec.log ? Math.log(v) : v;
}

function toExternal(spec: ParamSpec, internal: number): JsonValue {
  if (spec.type === "CATEGORICAL") return spec.choices[internal];
  return snap(spec, spec.log ? Math.exp(internal) : internal);
}

/** Moves a continuous internal draw onto the parameter's grid (integers, steps, bounds). */
function snapInternal(spec: ParamSpec, internal: number): number {
  if (spec.type === "CATEGORICAL") return internal;
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
