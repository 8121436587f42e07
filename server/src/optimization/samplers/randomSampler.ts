import { Rng } from "../random";
import { isActive, sampleUniform } from "../space";
import type { JsonValue, ParamSpec, TrialView } from "../types";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";

/** Uniform sampling (log-uniform for log parameters); the baseline every other sampler must beat. */
export class RandomSampler implements Sampler {
  readonly needsHistory = false;

  constructor(private readonly seed: number) {}

  sampleRelative(ctx: SampleContext): RelativeSample {
    const rng = Rng.derive(this.seed, ctx.trialNumber);
    return { params: sampleSpaceUniformly(ctx.study.searchSpace, rng) };
  }

  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    const rng = Rng.derive(this.seed, trial.number, hashName(spec.name));
    return sampleUniform(spec, rng);
  }
}

/** Samples every active parameter of a declared space uniformly, parents before children. */
export function sampleSpaceUniformly(space: ParamSpec[], rng: Rng): Record<string, JsonValue> {
  const params: Record<string, JsonValue> = {};
  for (const spec of space) {
    if (isActive(spec, params)) params[spec.name] = sampleUniform(spec, rng);
  }
  return params;
}

/** A stable 32-bit hash of a parameter name, to give each define-by-run parameter its own stream. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
