import { InvalidSpaceError } from "../errors";
import { fromUnit, isActive } from "../space";
import type { JsonValue, ParamSpec, TrialView } from "../types";
import { RandomSampler } from "./randomSampler";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";
import { SOBOL_MAX_DIMENSIONS, SobolSequence } from "./sobol";

/** Options of the QMC sampler. */
export interface QmcSamplerOptions {
  /** Scramble the sequence with the study's seed (default true). Unscrambled, trial 0 is the origin. */
  scramble?: boolean;
}

/**
 * Quasi-Monte Carlo search: trial n takes point n of a scrambled Sobol' sequence with one
 * coordinate per declared parameter. The point index is the trial number, which the studies layer
 * hands out without gaps or duplicates, so concurrent askers never collide and no state is kept.
 * Numeric parameters map through `fromUnit` (log scale, steps, integers); a categorical with k
 * choices takes choice floor(u * k). An inactive conditional parameter simply leaves its coordinate
 * unused. Define-by-run parameters are drawn uniformly at random, as Optuna's QMCSampler does.
 */
export class QmcSampler implements Sampler {
  readonly needsHistory = false;
  private readonly random: RandomSampler;
  private sequence: SobolSequence | null = null;

  constructor(
    private readonly seed: number,
    private readonly options: QmcSamplerOptions = {},
  ) {
    this.random = new RandomSampler(seed);
  }

  sampleRelative(ctx: SampleContext): RelativeSample {
    const space = ctx.study.searchSpace;
    if (space.length === 0) return { params: {} };
    if (space.length > SOBOL_MAX_DIMENSIONS) {
      throw new InvalidSpaceError(
        "sampler.type",
        `the QMC sampler supports up to ${SOBOL_MAX_DIMENSIONS} declared parameters (the space has ${space.length}); use TPE or RANDOM.`,
      );
    }
    if (!this.sequence || this.sequence.dimensions !== space.length) {
      this.sequence = new SobolSequence(space.length, this.options.scramble === false ? null : this.seed);
    }
    const u = this.sequence.point(ctx.trialNumber);
    return { params: unitPointToParams(space, u) };
  }

  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    return this.random.sampleIndependent(ctx, trial, spec);
  }
}

/** Maps a point of the unit cube (one coordinate per declared parameter) to parameter values. */
export function unitPointToParams(space: ParamSpec[], u: ArrayLike<number>): Record<string, JsonValue> {
  const params: Record<string, JsonValue> = {};
  space.forEach((spec, d) => {
    if (!isActive(spec, params)) return;
    if (spec.type === "CATEGORICAL") {
      const k = spec.choices.length;
      params[spec.name] = spec.choices[Math.min(k - 1, Math.floor(u[d] * k))];
    } else {
      params[spec.name] = fromUnit(spec, u[d]);
    }
  });
  return params;
}

/** Reads QMC options from a study's stored sampler options. */
export function parseQmcOptions(options: Record<string, JsonValue>): QmcSamplerOptions {
  const scramble = options.scramble;
  if (scramble !== undefined && typeof scramble !== "boolean") {
    throw new InvalidSpaceError("sampler.options.scramble", "QMC option scramble must be true or false.");
  }
  return { scramble };
}
