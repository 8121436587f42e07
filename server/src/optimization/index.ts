export * from "./types";
export * from "./errors";
export * from "./space";
export { Rng } from "./random";
export type { Sampler, SampleContext, RelativeSample, SamplerConfig } from "./samplers/sampler";
export { createSampler, samplerTypes, assertSamplerType, defaultSamplerType } from "./samplers/registry";
export type { Pruner, PruneDecision, PrunerConfig } from "./pruners/pruner";
export { createPruner, prunerTypes, assertPrunerConfig } from "./pruners/registry";
