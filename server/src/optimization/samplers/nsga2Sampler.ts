import { Rng } from "../random";
import { containsValue, fromUnit, isActive, sampleUniform, toUnit } from "../space";
import type { JsonValue, ParamSpec, StudyView, TrialView } from "../types";
import { OptionReader } from "./gp/optionReader";
import { type Individual, rankAndCrowding, selectElite } from "./nsga2/nonDominatedSort";
import { blxAlpha, polynomialMutation, sbx } from "./nsga2/variation";
import { hashName, sampleSpaceUniformly } from "./randomSampler";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";

export type Nsga2Crossover = "SBX" | "BLX_ALPHA" | "UNIFORM";

export interface Nsga2SamplerOptions {
  /** Trials per generation, and the size of the parent population. Default 50. */
  populationSize: number;
  /**
   * How numeric parameters of two parents combine: "SBX" (simulated binary crossover),
   * "BLX_ALPHA" or "UNIFORM" (each value from either parent). Categoricals always use uniform
   * crossover. Default "SBX".
   */
  crossover: Nsga2Crossover;
  /** Probability that a child is a crossover of two parents rather than a copy of one. Default 0.9. */
  crossoverProb: number;
  /** Per-parameter probability of taking the second parent's value in uniform crossover. Default 0.5. */
  swappingProb: number;
  /** Per-parameter mutation probability; null for 1 / (number of parameters). Default null. */
  mutationProb: number | null;
  /** Distribution index of SBX: larger keeps children nearer their parents. Default 20. */
  sbxEta: number;
  /** Distribution index of polynomial mutation. Default 20. */
  mutationEta: number;
  /** Widening factor of BLX-alpha. Default 0.5. */
  blxAlpha: number;
}

/** Reads NSGA2 options from a study's stored sampler options. */
export function parseNsga2Options(options: Record<string, JsonValue>): Nsga2SamplerOptions {
  const r = new OptionReader(options, "NSGA2");
  const parsed: Nsga2SamplerOptions = {
    populationSize: r.number("populationSize", 50, { min: 2, max: 100_000, integer: true }),
    crossover: r.oneOf<Nsga2Crossover>("crossover", "SBX", ["SBX", "BLX_ALPHA", "UNIFORM"]),
    crossoverProb: r.number("crossoverProb", 0.9, { min: 0, max: 1 }),
    swappingProb: r.number("swappingProb", 0.5, { min: 0, max: 1 }),
    mutationProb: r.optionalNumber("mutationProb", { min: 0, max: 1 }),
    sbxEta: r.number("sbxEta", 20, { min: 0, max: 1000 }),
    mutationEta: r.number("mutationEta", 20, { min: 0, max: 1000 }),
    blxAlpha: r.number("blxAlpha", 0.5, { min: 0, max: 10 }),
  };
  r.done();
  return parsed;
}

interface Nsga2State {
  version: 1;
  generation: number;
  /** Trial numbers of the parent population (elite of earlier generations). */
  parents: number[];
  /** Trial numbers handed out in the current generation. */
  members: number[];
}

/** A finished trial as NSGA-II ranks it. */
interface Candidate extends Individual {
  trial: TrialView;
}

/**
 * NSGA-II (Deb et al. 2002) for studies with one or several directions. Generation 0 is uniform
 * random; once `populationSize` trials of the current generation have completed, the parents and
 * those trials are ranked by constrained non-dominated sorting and crowding distance and the best
 * `populationSize` become the new parents. Each child comes from two binary-tournament winners by
 * crossover and mutation. Which trial numbers belong to which generation is kept in the sampler
 * state; RUNNING, FAILED and PRUNED trials of a generation simply do not count towards it, so
 * parallel workers keep receiving children of the current parents until enough have completed.
 */
export class Nsga2Sampler implements Sampler {
  readonly needsHistory = true;

  constructor(
    private readonly seed: number,
    private readonly options: Nsga2SamplerOptions = parseNsga2Options({}),
  ) {}

  sampleRelative(ctx: SampleContext): RelativeSample {
    const space = ctx.study.searchSpace;
    const rng = Rng.derive(this.seed, ctx.trialNumber);
    const state = readState(ctx.state);
    const byNumber = new Map<number, TrialView>(ctx.study.trials.map((t) => [t.number, t]));
    const usable = (n: number) => {
      const t = byNumber.get(n);
      return t && isUsable(t, ctx.study.directions.length) ? toCandidate(t, ctx.study) : null;
    };

    const finished = state.members.map(usable).filter((c): c is Candidate => c !== null);
    if (finished.length >= this.options.populationSize) {
      const pool = [...state.parents.map(usable).filter((c): c is Candidate => c !== null), ...finished];
      const elite = selectElite(pool, this.options.populationSize).map((i) => pool[i].trial.number);
      state.parents = elite.sort((a, b) => a - b);
      state.members = [];
      state.generation += 1;
    }
    state.members.push(ctx.trialNumber);

    const parents = state.parents.map(usable).filter((c): c is Candidate => c !== null);
    if (state.generation === 0 || parents.length < 2 || space.length === 0) {
      return { params: sampleSpaceUniformly(space, rng), state: state as unknown as JsonValue };
    }
    const { rank, crowding } = rankAndCrowding(parents);
    const tournament = () => {
      const a = rng.int(0, parents.length - 1);
      const b = rng.int(0, parents.length - 1);
      if (rank[a] !== rank[b]) return rank[a] < rank[b] ? a : b;
      if (crowding[a] !== crowding[b]) return crowding[a] > crowding[b] ? a : b;
      return rng.random() < 0.5 ? a : b;
    };
    const p1 = parents[tournament()].trial;
    let second = tournament();
    for (let tries = 0; tries < 4 && parents[second].trial === p1; tries++) second = tournament();
    const p2 = parents[second].trial;
    return { params: this.child(space, p1, p2, rng), state: state as unknown as JsonValue };
  }

  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    return sampleUniform(spec, Rng.derive(this.seed, trial.number, hashName(spec.name)));
  }

  private child(space: ParamSpec[], p1: TrialView, p2: TrialView, rng: Rng): Record<string, JsonValue> {
    const o = this.options;
    const cross = rng.random() < o.crossoverProb;
    const activeCount = space.length;
    const mutationProb = o.mutationProb ?? 1 / Math.max(activeCount, 1);
    const params: Record<string, JsonValue> = {};
    for (const spec of space) {
      if (!isActive(spec, params)) continue;
      const a = parentValue(p1, spec);
      const b = parentValue(p2, spec);
      let value: JsonValue;
      if (a === undefined && b === undefined) {
        params[spec.name] = sampleUniform(spec, rng);
        continue;
      } else if (a === undefined || b === undefined || !cross) {
        value = (a === undefined ? b : a) as JsonValue;
      } else if (spec.type === "CATEGORICAL" || o.crossover === "UNIFORM") {
        value = rng.random() < o.swappingProb ? b : a;
      } else {
        const u1 = toUnit(spec, a as number);
        const u2 = toUnit(spec, b as number);
        // Deb's SBX varies each coordinate with probability 0.5 and copies it otherwise.
        const u = o.crossover === "SBX" ? (rng.random() < 0.5 ? sbx(u1, u2, o.sbxEta, rng) : u1) : blxAlpha(u1, u2, o.blxAlpha, rng);
        value = fromUnit(spec, u);
      }
      if (rng.random() < mutationProb) {
        value = spec.type === "CATEGORICAL" ? sampleUniform(spec, rng) : fromUnit(spec, polynomialMutation(toUnit(spec, value as number), o.mutationEta, rng));
      }
      params[spec.name] = value;
    }
    return params;
  }
}

function isUsable(t: TrialView, nObjectives: number): boolean {
  return t.state === "COMPLETE" && !!t.values && t.values.length === nObjectives && t.values.every((v) => !Number.isNaN(v));
}

function toCandidate(trial: TrialView, study: StudyView): Candidate {
  const objectives = (trial.values as number[]).map((v, j) => (study.directions[j] === "MAXIMIZE" ? -v : v));
  const violation = (trial.constraints ?? []).reduce((s, c) => s + (c > 0 ? c : Number.isNaN(c) ? Number.MAX_VALUE : 0), 0);
  return { trial, objectives, violation };
}

/** A parent's value of a parameter when it is still valid in the declared space. */
function parentValue(trial: TrialView, spec: ParamSpec): JsonValue | undefined {
  if (!(spec.name in trial.params)) return undefined;
  const v = trial.params[spec.name];
  return containsValue(spec, v) ? v : undefined;
}

function readState(raw: JsonValue | null): Nsga2State {
  const ints = (a: unknown) => Array.isArray(a) && a.every((v) => Number.isInteger(v));
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const s = raw as unknown as Nsga2State;
    if (s.version === 1 && Number.isInteger(s.generation) && ints(s.parents) && ints(s.members)) {
      return { version: 1, generation: s.generation, parents: s.parents.slice(), members: s.members.slice() };
    }
  }
  return { version: 1, generation: 0, parents: [], members: [] };
}
