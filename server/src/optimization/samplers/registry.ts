import { InvalidSpaceError } from "../errors";
import type { JsonValue } from "../types";
import { AutoSampler, parseAutoOptions } from "./autoSampler";
import { CmaesSampler, parseCmaesOptions } from "./cmaesSampler";
import { GpSampler, parseGpOptions } from "./gpSampler";
import { GridSampler, parseGridOptions } from "./gridSampler";
import { Nsga2Sampler, parseNsga2Options } from "./nsga2Sampler";
import { parseQmcOptions, QmcSampler } from "./qmcSampler";
import { RandomSampler } from "./randomSampler";
import type { Sampler, SamplerConfig } from "./sampler";
import { parseTpeOptions, TpeSampler } from "./tpeSampler";

type SamplerFactory = (seed: number, options: Record<string, JsonValue>) => Sampler;

/** Every sampler type a study may name. AUTO is the default. */
const factories: Record<string, SamplerFactory> = {
  RANDOM: (seed) => new RandomSampler(seed),
  GRID: (seed, options) => new GridSampler(seed, parseGridOptions(options)),
  QMC: (seed, options) => new QmcSampler(seed, parseQmcOptions(options)),
  TPE: (seed, options) => new TpeSampler(seed, parseTpeOptions(options)),
  AUTO: (seed, options) => new AutoSampler(seed, parseAutoOptions(options), (t, s, o) => (t !== "AUTO" && t in factories ? factories[t](s, o) : null)),
  GP: (seed, options) => new GpSampler(seed, parseGpOptions(options)),
  CMAES: (seed, options) => new CmaesSampler(seed, parseCmaesOptions(options)),
  NSGA2: (seed, options) => new Nsga2Sampler(seed, parseNsga2Options(options)),
};

/** The sampler types available in this build. */
export function samplerTypes(): string[] {
  return Object.keys(factories);
}

/** The type used when a study names none. */
export function defaultSamplerType(): string {
  return "AUTO" in factories ? "AUTO" : "RANDOM";
}

/** Throws BAD_USER_INPUT-style errors for unknown types; use before storing a study's config. */
export function assertSamplerType(type: string): void {
  if (!(type in factories)) {
    throw new InvalidSpaceError("sampler.type", `unknown sampler type "${type}"; use one of ${samplerTypes().join(", ")}.`);
  }
}

/** Builds the sampler of a study from its stored configuration. */
export function createSampler(config: SamplerConfig): Sampler {
  assertSamplerType(config.type);
  return factories[config.type](config.seed, config.options);
}
