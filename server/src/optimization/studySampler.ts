import { InvalidSpaceError } from "./errors";
import type { RungViewOptions } from "./multiFidelity/rungView";
import { createSampler } from "./samplers/registry";
import type { Sampler, SamplerConfig } from "./samplers/sampler";
import type { JsonValue } from "./types";

/** A study's sampler together with how it reads the history under the study's pruner. */
export interface StudySampler {
  sampler: Sampler;
  /**
   * BOHB-style training on one rung (sampler option `multiFidelity: true` or
   * `{ minObservations, belowRung }`), or with `{ model: "joint" }` (GP only) a model across every
   * rung; null to learn from the trials as they are.
   */
  multiFidelity: RungViewOptions | null;
}

/**
 * Builds a study's sampler. The option `multiFidelity` belongs to the study rather than to any
 * one sampler, so it is taken out before the sampler reads (and strictly checks) its options.
 */
export function createStudySampler(config: SamplerConfig): StudySampler {
  const { multiFidelity, ...options } = config.options ?? {};
  const parsed = parseMultiFidelity(multiFidelity);
  if (parsed?.model === "joint" && config.type.toUpperCase() !== "GP") {
    throw new InvalidSpaceError(
      "sampler.options.multiFidelity.model",
      `multiFidelity model "joint" needs the GP sampler (the sampler is ${config.type}); use model "rung" with other samplers.`,
    );
  }
  return { sampler: createSampler({ ...config, options }), multiFidelity: parsed };
}

function parseMultiFidelity(value: JsonValue | undefined): RungViewOptions | null {
  const field = "sampler.options.multiFidelity";
  if (value === undefined || value === null || value === false) return null;
  if (value === true) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidSpaceError(field, `${field} must be true or an object { minObservations, belowRung, model }.`);
  }
  const out: RungViewOptions = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "minObservations") {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
        throw new InvalidSpaceError(`${field}.minObservations`, `${field}.minObservations must be a positive integer.`);
      }
      out.minObservations = v;
    } else if (key === "belowRung") {
      if (v !== "pruned" && v !== "drop") throw new InvalidSpaceError(`${field}.belowRung`, `${field}.belowRung must be "pruned" or "drop".`);
      out.belowRung = v;
    } else if (key === "model") {
      if (v !== "rung" && v !== "joint") throw new InvalidSpaceError(`${field}.model`, `${field}.model must be "rung" or "joint".`);
      out.model = v;
    } else {
      throw new InvalidSpaceError(`${field}.${key}`, `unknown multiFidelity option "${key}"; known: minObservations, belowRung, model.`);
    }
  }
  if (out.model === "joint" && out.belowRung !== undefined) {
    throw new InvalidSpaceError(`${field}.belowRung`, `${field}.belowRung applies to model "rung" only; the joint model keeps every trial.`);
  }
  return out;
}
