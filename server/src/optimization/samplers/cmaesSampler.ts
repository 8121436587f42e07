import { Rng } from "../random";
import { fromUnit, isActive, sampleUniform, toUnit } from "../space";
import type { JsonValue, ParamSpec, TrialView } from "../types";
import { type CmaDimension, type CmaState, hasStagnated, initialState, sampleCandidate, tell } from "./cmaes/cmaEngine";
import { defaultPopulationSize } from "./cmaes/strategyParameters";
import { OptionReader } from "./gp/optionReader";
import { hashName, sampleSpaceUniformly } from "./randomSampler";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";

export type CmaesRestartStrategy = "NONE" | "IPOP";

export interface CmaesSamplerOptions {
  /** Initial step size in the unit cube of the numeric parameters. Default 1/6 (as Optuna). */
  sigma0: number;
  /** Candidates per generation; null for 4 + floor(3 ln n). Default null. */
  popsize: number | null;
  /**
   * What to do when the search stagnates: "IPOP" restarts from a random mean with the population
   * multiplied by `incPopsize`; "NONE" keeps going with the stalled distribution. Default "IPOP".
   */
  restartStrategy: CmaesRestartStrategy;
  /** Population growth factor per IPOP restart. Default 2. */
  incPopsize: number;
  /**
   * Trials sampled uniformly before CMA-ES starts. CMA-ES then starts from the best finished
   * trial of the study (also when it takes over a study that already has trials), not the
   * centre. Default 0.
   */
  nStartupTrials: number;
}

/** Reads CMAES options from a study's stored sampler options. */
export function parseCmaesOptions(options: Record<string, JsonValue>): CmaesSamplerOptions {
  const r = new OptionReader(options, "CMAES");
  const parsed: CmaesSamplerOptions = {
    sigma0: r.number("sigma0", 1 / 6, { min: 1e-6, max: 1 }),
    popsize: r.optionalNumber("popsize", { min: 2, max: 10_000, integer: true }),
    restartStrategy: r.oneOf<CmaesRestartStrategy>("restartStrategy", "IPOP", ["NONE", "IPOP"]),
    incPopsize: r.number("incPopsize", 2, { min: 1, max: 10 }),
    nStartupTrials: r.number("nStartupTrials", 0, { min: 0, integer: true }),
  };
  r.done();
  return parsed;
}

/**
 * CMA-ES over the unconditional numeric parameters of the declared space, in their unit cube
 * (log parameters on a log scale, integers and steps rounded with a margin that keeps them from
 * freezing). Categorical and conditional parameters are sampled uniformly and independently, as
 * Optuna does. The whole strategy lives in the sampler state, so every server process continues
 * the same run: each ask first checks whether `popsize` trials of the current generation have
 * completed (in any order, from any worker) and, if so, updates the distribution; it then draws
 * the next candidate of the current generation and records which trial got it. Trials that fail
 * or are pruned do not count; the generation simply hands out more candidates.
 *
 * Studies with several directions are sampled uniformly at random (CMA-ES ranks one objective);
 * use NSGA2 or GP for them.
 */
export class CmaesSampler implements Sampler {
  readonly needsHistory = true;
  constructor(
    private readonly seed: number,
    private readonly options: CmaesSamplerOptions = parseCmaesOptions({}),
  ) {}

  sampleRelative(ctx: SampleContext): RelativeSample {
    const space = ctx.study.searchSpace;
    const rng = Rng.derive(this.seed, ctx.trialNumber);
    const dims: CmaDimension[] = [];
    for (const spec of space) {
      if (spec.type !== "CATEGORICAL" && !spec.condition) dims.push({ spec, discrete: spec.step !== null });
    }
    if (dims.length === 0 || ctx.study.directions.length !== 1) return { params: sampleSpaceUniformly(space, rng) };

    const key = JSON.stringify(dims.map((d) => [d.spec.name, d.spec.type, d.spec.low, d.spec.high, d.spec.log, d.spec.step]));
    const sign = ctx.study.directions[0] === "MAXIMIZE" ? -1 : 1;
    const complete = ctx.study.trials.filter((t) => t.state === "COMPLETE" && t.values?.length === 1 && !Number.isNaN(t.values[0]));
    let state = readState(ctx.state, key, dims.length);
    if (!state) {
      if (complete.length < this.options.nStartupTrials) return { params: sampleSpaceUniformly(space, rng) };
      state = this.fresh(key, dims, 0, bestPoint(complete, dims, sign));
    }

    // Update when enough trials of this generation have completed.
    const byNumber = new Map<number, TrialView>(ctx.study.trials.map((t) => [t.number, t]));
    const done: Array<{ x: number[]; value: number; number: number }> = [];
    for (const [num, x] of Object.entries(state.members)) {
      const t = byNumber.get(Number(num));
      const v = t && t.state === "COMPLETE" && t.values && t.values.length === 1 ? t.values[0] : Number.NaN;
      if (!Number.isNaN(v)) done.push({ x, value: clampInfinite(sign * v), number: Number(num) });
    }
    if (done.length >= state.popsize) {
      done.sort((a, b) => a.number - b.number);
      const solutions = done.slice(0, state.popsize);
      tell(state, dims, solutions);
      if (this.options.restartStrategy === "IPOP" && hasStagnated(state, solutions.map((s) => s.value))) {
        state = this.fresh(key, dims, state.restarts + 1);
      }
    }

    const x = sampleCandidate(state, Rng.derive(this.seed, state.restarts, state.generation, state.asked, 0xc3a));
    state.members[String(ctx.trialNumber)] = x.map(round12);
    state.asked += 1;

    const params: Record<string, JsonValue> = {};
    let k = 0;
    for (const spec of space) {
      if (spec.type !== "CATEGORICAL" && !spec.condition) {
        params[spec.name] = fromUnit(spec, x[k++]);
      } else if (isActive(spec, params)) {
        params[spec.name] = sampleUniform(spec, Rng.derive(this.seed, ctx.trialNumber, hashName(spec.name)));
      }
    }
    return { params, state: state as unknown as JsonValue };
  }

  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    return sampleUniform(spec, Rng.derive(this.seed, trial.number, hashName(spec.name)));
  }

  private fresh(key: string, dims: CmaDimension[], restarts: number, start: number[] | null = null): CmaState {
    const base = this.options.popsize ?? defaultPopulationSize(dims.length);
    const popsize = Math.round(base * this.options.incPopsize ** restarts);
    // The first run starts at the centre; restarts from a random point to explore elsewhere.
    const rng = Rng.derive(this.seed, restarts, 0x2e57a27);
    const mean = start ?? dims.map(() => (restarts === 0 ? 0.5 : rng.random()));
    return initialState(key, dims, popsize, mean, this.options.sigma0, restarts);
  }
}

/** Unit-cube coordinates of the best finished trial that has every CMA parameter, or null. */
function bestPoint(trials: TrialView[], dims: CmaDimension[], sign: number): number[] | null {
  let best: number[] | null = null;
  let bestValue = Number.POSITIVE_INFINITY;
  for (const t of trials) {
    const value = sign * (t.values as number[])[0];
    if (!(value < bestValue)) continue;
    const x = dims.map((d) => (typeof t.params[d.spec.name] === "number" ? toUnit(d.spec, t.params[d.spec.name] as number) : Number.NaN));
    if (x.every((v) => v >= 0 && v <= 1)) {
      best = x;
      bestValue = value;
    }
  }
  return best;
}

function clampInfinite(v: number): number {
  return Math.min(Math.max(v, -Number.MAX_VALUE), Number.MAX_VALUE);
}

/** Keeps the stored JSON compact without changing results in any meaningful way. */
function round12(v: number): number {
  return Number(v.toPrecision(15));
}

function readState(raw: JsonValue | null, key: string, n: number): CmaState | null {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const s = raw as unknown as CmaState;
  const vec = (a: unknown, len: number) => Array.isArray(a) && a.length === len && a.every((v) => typeof v === "number" && Number.isFinite(v));
  if (s.version !== 1 || s.key !== key || !vec(s.mean, n) || !vec(s.cov, n * n) || !vec(s.pc, n) || !vec(s.ps, n) || !vec(s.margin, n)) return null;
  if (typeof s.sigma !== "number" || !(s.sigma > 0) || !Number.isInteger(s.popsize) || s.popsize < 2) return null;
  if (!s.members || typeof s.members !== "object" || !Array.isArray(s.recentBest)) return null;
  // A deep copy: the caller's state object is never mutated.
  return JSON.parse(JSON.stringify(s)) as CmaState;
}
