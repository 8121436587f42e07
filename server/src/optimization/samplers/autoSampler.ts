import { InvalidSpaceError } from "../errors";
import type { JsonValue, ParamSpec, StudyView, TrialView } from "../types";
import { RandomSampler } from "./randomSampler";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";
import { TpeSampler } from "./tpeSampler";

/** Options of the AUTO sampler. */
export interface AutoSamplerOptions {
  /**
   * Finished trials after which a single-objective study leaves GP for a cheaper model: the GP's
   * ask cost grows with the history (it caps itself, but stays hundreds of ms), while TPE and
   * CMA-ES stay in single-digit ms. Default 300.
   */
  gpMaxTrials?: number;
  /** Most declared parameters for which GP is chosen; larger spaces go to TPE. Default 30. */
  gpMaxParams?: number;
}

/** Looks a sampler type up by name; AUTO works with whatever the registry holds. */
export type SamplerLookup = (type: string, seed: number, options: Record<string, JsonValue>) => Sampler | null;

/** The sampler AUTO delegates to for one ask, and why. */
export interface AutoChoice {
  type: "GP" | "TPE" | "CMAES" | "NSGA2" | "RANDOM";
  options: Record<string, JsonValue>;
  reason: string;
}

const TPE_OPTIONS: Record<string, JsonValue> = { multivariate: true, group: true };

/**
 * The default sampler: picks the best sampler we have for the study's space, directions and
 * history, so that a user who never reads the docs gets it. The rule, from bench/samplers.ts
 * (100 trials, median regret over 10 seeds; GP beat TPE, CMA-ES and Optuna on all six test
 * functions, continuous and mixed alike):
 *
 * 1. Several directions: NSGA2 when registered (the multi-objective workhorse), else MOTPE.
 * 2. A conditional space (any parameter with a condition): multivariate TPE with groups; GP and
 *    CMA-ES model a fixed-dimensional box and would see inactive parameters as noise.
 * 3. GP when registered, the space has at most `gpMaxParams` parameters and fewer than
 *    `gpMaxTrials` trials have finished (GP is the most sample-efficient model we have).
 * 4. Past that: CMA-ES for all-numeric spaces when registered (cheap, keeps converging on long
 *    runs), else multivariate TPE (categoricals, or no CMA-ES).
 *
 * Define-by-run parameters are always sampled by TPE (univariate), which learns from the history
 * of that parameter. Each delegate keeps its own state inside AUTO's state, so a hand-over never
 * loses the state of the sampler that ran before.
 */
export class AutoSampler implements Sampler {
  readonly needsHistory = true;
  private readonly delegates = new Map<string, Sampler>();
  private readonly independent: TpeSampler;
  private readonly gpMaxTrials: number;
  private readonly gpMaxParams: number;

  constructor(
    private readonly seed: number,
    options: AutoSamplerOptions,
    private readonly lookup: SamplerLookup,
  ) {
    this.gpMaxTrials = options.gpMaxTrials ?? 300;
    this.gpMaxParams = options.gpMaxParams ?? 30;
    this.independent = new TpeSampler(seed, {});
  }

  /** Which sampler this ask goes to. */
  choose(study: StudyView): AutoChoice {
    const has = (type: string) => this.delegate(type, {}) !== null;
    const space = study.searchSpace;
    if (study.directions.length > 1) {
      if (has("NSGA2")) return { type: "NSGA2", options: {}, reason: "several directions" };
      return { type: "TPE", options: TPE_OPTIONS, reason: "several directions (MOTPE; NSGA2 not available)" };
    }
    if (space.length === 0) return { type: "RANDOM", options: {}, reason: "no declared parameters" };
    if (space.some((s) => s.condition)) return { type: "TPE", options: TPE_OPTIONS, reason: "conditional space" };
    const finished = countFinished(study.trials);
    if (has("GP") && space.length <= this.gpMaxParams && finished < this.gpMaxTrials) {
      return { type: "GP", options: {}, reason: "small budget so far" };
    }
    if (has("CMAES") && space.every((s) => s.type !== "CATEGORICAL")) {
      return { type: "CMAES", options: {}, reason: "long numeric run" };
    }
    return { type: "TPE", options: TPE_OPTIONS, reason: "long run or large space" };
  }

  sampleRelative(ctx: SampleContext): RelativeSample {
    const choice = this.choose(ctx.study);
    const sampler = this.delegate(choice.type, choice.options)!;
    const states = readStates(ctx.state);
    const out = sampler.sampleRelative({ ...ctx, state: states[choice.type] ?? null });
    if (out.state === undefined) return { params: out.params };
    return { params: out.params, state: { ...states, [choice.type]: out.state } };
  }

  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    return this.independent.sampleIndependent(ctx, trial, spec);
  }

  private delegate(type: string, options: Record<string, JsonValue>): Sampler | null {
    const key = type;
    if (!this.delegates.has(key)) {
      if (type === "TPE") this.delegates.set(key, new TpeSampler(this.seed, options));
      else if (type === "RANDOM") this.delegates.set(key, new RandomSampler(this.seed));
      else {
        const sampler = this.lookup(type, this.seed, options);
        if (!sampler) return null;
        this.delegates.set(key, sampler);
      }
    }
    return this.delegates.get(key)!;
  }
}

function countFinished(trials: TrialView[]): number {
  let n = 0;
  for (const t of trials) if (t.state === "COMPLETE" || t.state === "PRUNED") n++;
  return n;
}

function readStates(state: JsonValue | null): Record<string, JsonValue> {
  if (!state || typeof state !== "object" || Array.isArray(state)) return {};
  return state as Record<string, JsonValue>;
}

/** Reads AUTO options from a study's stored sampler options. */
export function parseAutoOptions(options: Record<string, JsonValue>): AutoSamplerOptions {
  const out: AutoSamplerOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === null) continue;
    if (key !== "gpMaxTrials" && key !== "gpMaxParams") {
      throw new InvalidSpaceError(`sampler.options.${key}`, `unknown AUTO option "${key}"; known: gpMaxTrials, gpMaxParams.`);
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new InvalidSpaceError(`sampler.options.${key}`, `AUTO option ${key} must be a non-negative integer.`);
    }
    out[key] = value;
  }
  return out;
}
